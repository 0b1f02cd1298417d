package io.jdbcguard.jpa;

import org.junit.jupiter.api.BeforeAll;

/**
 * Issue 22: the clinic's races on PostgreSQL (Hibernate's PostgreSQLDialect, pgJDBC), the same tests as on
 * MariaDB and the same findings: at PostgreSQL's default READ COMMITTED the Java-side duplicate check and the
 * edit without {@code @Version} race exactly as at MariaDB's REPEATABLE READ (28 pairs of 8 requests; 7 of 8
 * edits lost), and the owner read FOR UPDATE and {@code @Version} stop them.
 */
class PetClinicRacesPostgresTest extends PetClinicRacesTest {

    @BeforeAll
    static void start() {
        context = ClinicContext.startPostgres("petclinic_races_pg");
        clinic = context.getBean(io.jdbcguard.jpa.app.ClinicService.class);
        clinic.newType("cat");
    }
}
