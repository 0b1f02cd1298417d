package io.jdbcguard.spring;

import io.jdbcguard.Finding;
import io.jdbcguard.report.FindingReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/** {@code /actuator/jdbcguard}: every place with findings, both call sites, the SQL (masked), how often. */
@Endpoint(id = "jdbcguard")
public class JdbcGuardEndpoint {

    private final JdbcGuardAutoConfiguration.FindingsByPlace findings;

    JdbcGuardEndpoint(JdbcGuardAutoConfiguration.FindingsByPlace findings) {
        this.findings = findings;
    }

    @ReadOperation
    public List<Map<String, Object>> findings() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (FindingReport.Row r : findings.report.rows()) {
            Finding f = r.finding();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rule", f.rule());
            m.put("level", f.level().name());
            m.put("table", f.table());
            m.put("columns", f.columns());
            m.put("checkSite", f.checkSite() == null ? null : f.checkSite().toString());
            m.put("writeSite", f.writeSite() == null ? null : f.writeSite().toString());
            m.put("sql", f.sql());
            m.put("count", r.count());
            m.put("message", f.message());
            out.add(m);
        }
        return out;
    }
}
