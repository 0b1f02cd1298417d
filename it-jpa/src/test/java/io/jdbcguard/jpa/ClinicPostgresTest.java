package io.jdbcguard.jpa;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdbcguard.Guard;
import io.jdbcguard.jpa.app.ClinicService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 22: the clinic application on PostgreSQL (Hibernate's PostgreSQLDialect, pgJDBC): every test of
 * {@link ClinicTest} runs here too and finds the same races; the two lock findings that are InnoDB's differ,
 * as the database does, and say so below.
 */
class ClinicPostgresTest extends ClinicTest {

    @BeforeAll
    static void start() {
        context = ClinicContext.startPostgres("clinic_pg");
        clinic = context.getBean(ClinicService.class);
        clinic.newType("cat");
    }

    /**
     * On MariaDB at REPEATABLE READ the PESSIMISTIC_WRITE lookup locks the gap and concurrent callers deadlock
     * at the insert (gap-lock-insert). On PostgreSQL a locking read that finds no row locks nothing: the lookup
     * is a plain check, and concurrent callers both insert (no unique key on telephone: ERROR).
     */
    @Override
    @Test
    void aPessimisticLookupThenSaveIsAGapLockInsert() throws Exception {
        clinic.ownerForLocked("608-555-0004");
        assertThat(settled()).singleElement().satisfies(x -> {
            assertThat(x.rule()).isEqualTo("check-then-insert");
            assertThat(x.level()).isEqualTo(io.jdbcguard.Finding.Level.ERROR);
            assertThat(x.table()).isEqualTo("owners");
            assertThat(x.checkSite().getMethodName()).isEqualTo("ownerForLocked");
            assertThat(x.message()).contains("does not help: on PostgreSQL a locking read that finds no row locks"
                    + " nothing").doesNotContain("1213", "1062");
        });
    }

    /**
     * On MariaDB the finder by the unindexed last name locks every row InnoDB scans (lock-without-index);
     * PostgreSQL locks only the rows it returns: nothing to report.
     */
    @Override
    @Test
    void aPessimisticFinderByAnUnindexedColumnIsLockWithoutIndex() throws Exception {
        clinic.ownerFor("608-555-0031");
        Guard.global().awaitFindings(10_000);
        findings.clear();
        Guard.global().forgetCurrentThread();
        assertThat(clinic.moveFamily("Franklin", "Madison")).isPositive();
        assertThat(settled()).isEmpty();
    }
}
