package io.jdbcguard.spring;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code jdbc-guard.*} in {@code application.properties}: the guard's settings (the same declaration as
 * {@code guard.*}, {@code io.jdbcguard.config.Setting}), and {@code enabled}. Unset ones fall back to the
 * usual sources ({@code -Dguard.*}, {@code GUARD_*}, {@code jdbc-guard.properties}, the default).
 */
@ConfigurationProperties(prefix = "jdbc-guard")
public class JdbcGuardProperties {

    /** Whether every DataSource bean is guarded. */
    private boolean enabled = true;
    /** {@code warn}, {@code strict} or {@code off}. */
    private String mode;
    /** Rules not run. */
    private List<String> disable = new ArrayList<>();
    /** {@code fresh-read} or {@code off}. */
    private String recovery;
    /** Show bound values and literals in findings. */
    private Boolean logValues;
    /** Where the application's code lives, to pick call sites; by default the {@code @SpringBootApplication}'s package. */
    private List<String> appPackages = new ArrayList<>();
    /** How far apart two statements in separate transactions may be and still form one pattern. */
    private Integer windowMs;

    /** As {@code guard.*} settings, the ones set only. */
    Map<String, String> settings(List<String> defaultPackages) {
        Map<String, String> m = new LinkedHashMap<>();
        if (mode != null) {
            m.put("guard.mode", mode);
        }
        if (!disable.isEmpty()) {
            m.put("guard.disable", String.join(",", disable));
        }
        if (recovery != null) {
            m.put("guard.recovery", recovery);
        }
        if (logValues != null) {
            m.put("guard.log-values", logValues.toString());
        }
        List<String> packages = appPackages.isEmpty() ? defaultPackages : appPackages;
        if (!packages.isEmpty() && System.getProperty("guard.app-packages") == null) {
            m.put("guard.app-packages", String.join(",", packages));
        }
        if (windowMs != null) {
            m.put("guard.window-ms", windowMs.toString());
        }
        return m;
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getMode() {
        return mode;
    }

    public void setMode(String mode) {
        this.mode = mode;
    }

    public List<String> getDisable() {
        return disable;
    }

    public void setDisable(List<String> disable) {
        this.disable = disable;
    }

    public String getRecovery() {
        return recovery;
    }

    public void setRecovery(String recovery) {
        this.recovery = recovery;
    }

    public Boolean getLogValues() {
        return logValues;
    }

    public void setLogValues(Boolean logValues) {
        this.logValues = logValues;
    }

    public List<String> getAppPackages() {
        return appPackages;
    }

    public void setAppPackages(List<String> appPackages) {
        this.appPackages = appPackages;
    }

    public Integer getWindowMs() {
        return windowMs;
    }

    public void setWindowMs(Integer windowMs) {
        this.windowMs = windowMs;
    }
}
