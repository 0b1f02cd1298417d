package io.jdbcguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdbcguard.Finding;
import io.jdbcguard.JdbcGuard;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 21, items 2 to 4: schemas as a large application writes them, on a server with default settings
 * ({@code lower_case_table_names=0}: names are case-sensitive, kept as created). Upper-case tables made
 * every finding ERROR "no unique index" and lost-update impossible; a read of a parent's children was taken
 * for a check and the advice was a unique index forbidding legitimate rows; a unique key over a derived
 * column was not seen to protect the pattern.
 */
class RealSchemaTest {

    private final List<Finding> findings = new CopyOnWriteArrayList<>();

    @BeforeEach
    void schema() {
        TestDatabase.execGuarded("DROP TABLE IF EXISTS MEMBER_GRANT", "DROP TABLE IF EXISTS GRANTS",
                "DROP TABLE IF EXISTS MEMBER", "DROP TABLE IF EXISTS USER_ACCOUNT", "DROP TABLE IF EXISTS TENANT_ITEM",
                "CREATE TABLE USER_ACCOUNT (ID BIGINT AUTO_INCREMENT PRIMARY KEY, EMAIL VARCHAR(100) NOT NULL,"
                        + " BALANCE BIGINT NOT NULL DEFAULT 0, UNIQUE KEY UX_USER_ACCOUNT_EMAIL (EMAIL))",
                "CREATE TABLE MEMBER (ID BIGINT PRIMARY KEY, NAME VARCHAR(40))",
                "CREATE TABLE GRANTS (ID BIGINT PRIMARY KEY, NAME VARCHAR(40))",
                "CREATE TABLE MEMBER_GRANT (ID BIGINT AUTO_INCREMENT PRIMARY KEY, MEMBER_ID BIGINT NOT NULL,"
                        + " GRANT_ID BIGINT NOT NULL, CONSTRAINT FK_MG_MEMBER FOREIGN KEY (MEMBER_ID) REFERENCES MEMBER (ID),"
                        + " CONSTRAINT FK_MG_GRANT FOREIGN KEY (GRANT_ID) REFERENCES GRANTS (ID))",
                "CREATE TABLE TENANT_ITEM (ID BIGINT AUTO_INCREMENT PRIMARY KEY, NAME VARCHAR(40) NOT NULL,"
                        + " TENANT_ID BIGINT NOT NULL, TENANT_CONSTRAINT BIGINT NOT NULL,"
                        + " UNIQUE KEY UX_TENANT_ITEM (NAME, TENANT_CONSTRAINT))",
                "INSERT INTO MEMBER VALUES (1, 'ann')", "INSERT INTO GRANTS VALUES (1, 'read'), (2, 'write')",
                "INSERT INTO USER_ACCOUNT (EMAIL, BALANCE) VALUES ('held@x', 100)");
        io.jdbcguard.Guard.global().forgetCurrentThread();
    }

    private List<Finding> run(Work work) throws Exception {
        io.jdbcguard.Guard.global().forgetCurrentThread();
        findings.clear();
        try (JdbcGuard.Registration r = JdbcGuard.addFindingListener(findings::add);
             Connection c = TestDatabase.guarded()) {
            work.run(c);
            assertThat(io.jdbcguard.GuardStats.awaitFindings(10_000)).isTrue();
        }
        return List.copyOf(findings);
    }

    interface Work {
        void run(Connection c) throws Exception;
    }

    private static boolean found(Connection c, String sql, Object... values) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                ps.setObject(i + 1, values[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void write(Connection c, String sql, Object... values) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                ps.setObject(i + 1, values[i]);
            }
            ps.executeUpdate();
        }
    }

    /** Item 2: the unique key of an upper-case table is found: WARN (duplicate-key errors), not ERROR. */
    @Test
    void anUpperCaseTablesUniqueKeyIsFound() throws Exception {
        List<Finding> f = run(c -> {
            assertThat(found(c, "SELECT ID FROM USER_ACCOUNT WHERE EMAIL = ?", "new@x")).isFalse();
            write(c, "INSERT INTO USER_ACCOUNT (EMAIL) VALUES (?)", "new@x");
        });
        assertThat(f).singleElement().satisfies(x -> {
            assertThat(x.rule()).isEqualTo("check-then-insert");
            assertThat(x.level()).as(x.message()).isEqualTo(Finding.Level.WARN);
        });
    }

    /** Item 2: a read by an upper-case table's primary key is a read of one row: lost-update is reported. */
    @Test
    void aLostUpdateOnAnUpperCaseTableIsReported() throws Exception {
        List<Finding> f = run(c -> {
            c.setAutoCommit(false);
            assertThat(found(c, "SELECT BALANCE FROM USER_ACCOUNT WHERE ID = ?", 1)).isTrue();
            write(c, "UPDATE USER_ACCOUNT SET BALANCE = ? WHERE ID = ?", 90, 1);
            c.commit();
        });
        assertThat(f).extracting(Finding::rule).containsExactly("lost-update");
    }

    /** Item 3: listing a member's grants, then adding one, is no check of MEMBER_ID: no finding, no harmful advice. */
    @Test
    void aParentsChildrenReadThenAChildAddedIsNoCheck() throws Exception {
        List<Finding> f = run(c -> {
            assertThat(found(c, "SELECT GRANT_ID FROM MEMBER_GRANT WHERE MEMBER_ID = ?", 1)).isFalse();
            write(c, "INSERT INTO MEMBER_GRANT (GRANT_ID, MEMBER_ID) VALUES (?, ?)", 2, 1);
        });
        assertThat(f).as("no unique index on (member_id) may be advised: a member has many grants").isEmpty();
    }

    /** Item 3: a membership test in SQL is a check, and the advice names the pair, never the parent link alone. */
    @Test
    void aMembershipTestIsACheckAdvisedOnThePair() throws Exception {
        List<Finding> f = run(c -> {
            assertThat(found(c, "SELECT ID FROM MEMBER_GRANT WHERE MEMBER_ID = ? AND GRANT_ID = ?", 1, 1)).isFalse();
            write(c, "INSERT INTO MEMBER_GRANT (GRANT_ID, MEMBER_ID) VALUES (?, ?)", 1, 1);
        });
        assertThat(f).singleElement().satisfies(x -> {
            assertThat(x.rule()).isEqualTo("check-then-insert");
            assertThat(x.level()).isEqualTo(Finding.Level.ERROR);
            assertThat(x.message()).contains("add a UNIQUE index on (member_id, grant_id)")
                    .doesNotContain("UNIQUE index on (member_id)");
        });
    }

    /** Item 4: the unique key is (name, tenant_constraint); the insert writes the checked tenant into both. */
    @Test
    void aUniqueKeyOverADerivedColumnProtectsThePattern() throws Exception {
        List<Finding> f = run(c -> {
            assertThat(found(c, "SELECT ID FROM TENANT_ITEM WHERE NAME = ? AND TENANT_ID = ?", "a", 7)).isFalse();
            write(c, "INSERT INTO TENANT_ITEM (NAME, TENANT_ID, TENANT_CONSTRAINT) VALUES (?, ?, ?)", "a", 7, 7);
        });
        assertThat(f).singleElement().satisfies(x ->
                assertThat(x.level()).as("duplicate-key errors, not silent duplicates: " + x.message())
                        .isEqualTo(Finding.Level.WARN));
    }

    /** Item 4's neighbour: the derived column written with another value does not protect the pattern. */
    @Test
    void aDerivedColumnWithAnotherValueDoesNotProtectIt() throws Exception {
        List<Finding> f = run(c -> {
            assertThat(found(c, "SELECT ID FROM TENANT_ITEM WHERE NAME = ? AND TENANT_ID = ?", "b", 7)).isFalse();
            // A write site of its own: a finding's place is its call sites, and the test above has the helper's.
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO TENANT_ITEM (NAME, TENANT_ID, TENANT_CONSTRAINT) VALUES (?, ?, ?)")) {
                ps.setString(1, "b");
                ps.setLong(2, 7);
                ps.setLong(3, 8);
                ps.executeUpdate();
            }
        });
        assertThat(f).singleElement().satisfies(x -> assertThat(x.level()).isEqualTo(Finding.Level.ERROR));
    }
}
