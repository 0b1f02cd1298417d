package io.jdbcguard.it;

import static io.jdbcguard.it.RuleProbe.expect;
import static io.jdbcguard.it.RuleProbe.none;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, item 7: a row read as one of a root's collection, then updated by its own key, is a
 * read-modify-write. Editing a pet in petclinic: Hibernate loads the owner with its pets (a LEFT JOIN),
 * then writes the pet back by its id; concurrent edits are lost and nothing was reported.
 */
class CollectionEditTest {

    /** Hibernate's findById of an owner with eager pets. */
    static final String OWNER_WITH_PETS = "select o1_0.id,o1_0.last_name,p1_0.owner_id,p1_0.id,p1_0.name,p1_0.birth_date,"
            + "p1_0.version,p1_0.visits from ce_owners o1_0 left join ce_pets p1_0 on o1_0.id=p1_0.owner_id where o1_0.id=?";

    @BeforeEach
    void tables() {
        TestDatabase.execGuarded("DROP TABLE IF EXISTS ce_pets", "DROP TABLE IF EXISTS ce_owners",
                "CREATE TABLE ce_owners (id BIGINT PRIMARY KEY, last_name VARCHAR(40))",
                "CREATE TABLE ce_pets (id BIGINT PRIMARY KEY, name VARCHAR(40), birth_date DATE, visits INT NOT NULL"
                        + " DEFAULT 0, version INT NOT NULL DEFAULT 0, owner_id BIGINT,"
                        + " FOREIGN KEY (owner_id) REFERENCES ce_owners (id))",
                "INSERT INTO ce_owners VALUES (1, 'Franklin')",
                "INSERT INTO ce_pets (id, name, birth_date, owner_id) VALUES (7, 'Leo', '2020-09-07', 1)");
    }

    private static void loadOwner(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(OWNER_WITH_PETS)) {
            ps.setLong(1, 1);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    private static int write(Connection c, String sql, Object... values) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                ps.setObject(i + 1, values[i]);
            }
            return ps.executeUpdate();
        }
    }

    /** The pet edit form: load the owner and its pets, change the pet, write it back in the next transaction. */
    @Test
    void aPetReadWithItsOwnerThenWrittenBackByItsIdIsALostUpdate() throws Exception {
        expect("lost-update", 1, () -> {
            try (Connection c = TestDatabase.guarded()) {
                c.setAutoCommit(false);
                loadOwner(c);
                c.commit();
                write(c, "update ce_pets set birth_date=?,name=?,owner_id=? where id=?", "2020-09-07", "Leonard", 1, 7);
                c.commit();
            }
        });
    }

    @Test
    void attachingAChildByItsLinkColumnIsNoLostUpdate() throws Exception {
        // JPA's unidirectional one-to-many: the new child's parent key comes in a second statement.
        none(() -> {
            try (Connection c = TestDatabase.guarded()) {
                c.setAutoCommit(false);
                loadOwner(c);
                write(c, "insert into ce_pets (id,name,birth_date) values (?,?,?)", 8, "Basil", "2021-08-06");
                write(c, "update ce_pets set owner_id=? where id=?", 1, 8);
                c.commit();
            }
        });
    }

    @Test
    void aVersionedOrRelativeWriteOfTheChildIsNoLostUpdate() throws Exception {
        none(() -> {
            try (Connection c = TestDatabase.guarded()) {
                c.setAutoCommit(false);
                loadOwner(c);
                write(c, "update ce_pets set name=?,version=? where id=? and version=?", "Leonard", 1, 7, 0);
                write(c, "update ce_pets set visits=visits+1 where id=?", 7);
                c.commit();
            }
        });
    }

    @Test
    void aChildTableTheReadDidNotJoinIsNotThePattern() throws Exception {
        none(() -> {
            try (Connection c = TestDatabase.guarded()) {
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement("select o1_0.id,o1_0.last_name from ce_owners o1_0 where o1_0.id=?")) {
                    ps.setLong(1, 1);
                    ps.executeQuery().close();
                }
                write(c, "update ce_pets set name=? where id=?", "Leonard", 7);
                c.commit();
            }
        });
    }
}
