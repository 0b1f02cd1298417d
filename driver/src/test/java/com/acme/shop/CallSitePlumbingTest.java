package com.acme.shop;

import static org.assertj.core.api.Assertions.assertThat;

import com.acme.shop.infra.Dao;
import com.acme.shop.infra.RepositoryHandler;
import com.acme.shop.infra.Seq;
import com.acme.shop.infra.TxWrapper;
import io.jdbcguard.Finding;
import io.jdbcguard.Guard;
import io.jdbcguard.stub.StubDriver;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.hibernate.guardtest.FakeSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 21, item 5: with {@code guard.app-packages} set to the application's root package, its own
 * plumbing (an invocation handler, a stream wrapper, a transaction wrapper's commit where the ORM flushed)
 * was named as the call site. The site is the application code that did the work; {@code !prefix} excludes.
 */
class CallSitePlumbingTest {

    interface Users {
        void getOrCreate(String email);

        boolean exists(String email);
    }

    private static Users users(Connection c) {
        return (Users) Proxy.newProxyInstance(Users.class.getClassLoader(), new Class<?>[] {Users.class},
                new RepositoryHandler(c));
    }

    private Guard guard;
    private final List<Finding> findings = new CopyOnWriteArrayList<>();

    @BeforeEach
    void guard() {
        StubDriver.load();
        guard = new Guard();
        guard.addFindingListener(findings::add);
    }

    @AfterEach
    void close() {
        guard.close();
    }

    private Connection connect(String packages) throws SQLException {
        return guard.connect("jdbc:guard:stub:sites?guard.app-packages=" + packages, new Properties());
    }

    private Finding only() throws InterruptedException {
        assertThat(guard.awaitFindings(5_000)).isTrue();
        assertThat(findings).hasSize(1);
        return findings.get(0);
    }

    private static boolean found(Statement st, String email) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT id FROM users WHERE email = '" + email + "'")) {
            return rs.next();
        }
    }

    @Test
    void aJdkProxyRepositoryIsNamedByItsCaller() throws Exception {
        try (Connection c = connect("com.acme.shop")) {
            users(c).getOrCreate("missing@proxy");
            Finding f = only();
            assertThat(f.checkSite().getMethodName()).isEqualTo("aJdkProxyRepositoryIsNamedByItsCaller");
            assertThat(f.writeSite().getMethodName()).isEqualTo("aJdkProxyRepositoryIsNamedByItsCaller");
        }
    }

    @Test
    void aStreamWrappersTerminalOperationIsNotTheSite() throws Exception {
        try (Connection c = connect("com.acme.shop"); Statement st = c.createStatement()) {
            // The check runs in the wrapper's anyMatch through a method reference to a proxy repository: no
            // application frame lies above the wrapper's, and the site is the code that called anyMatch.
            boolean any = new Seq<>(List.of("missing@seq")).anyMatch(users(c)::exists);
            assertThat(any).isFalse();
            st.executeUpdate("INSERT INTO users (email) VALUES ('missing@seq')");
            Finding f = only();
            assertThat(f.checkSite().getClassName()).isEqualTo(CallSitePlumbingTest.class.getName());
            assertThat(f.checkSite().getMethodName()).isEqualTo("aStreamWrappersTerminalOperationIsNotTheSite");
        }
    }

    @Test
    void aWriteFlushedAtCommitIsNamedByWhoCommittedAndSaysSo() throws Exception {
        try (Connection c = connect("com.acme.shop"); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            assertThat(found(st, "missing@flush")).isFalse();
            FakeSession session = new FakeSession(c);
            session.persist("INSERT INTO users (email) VALUES ('missing@flush')");
            new TxWrapper().commit(session);
            c.commit();
            Finding f = only();
            assertThat(f.writeSite().getMethodName()).isEqualTo("aWriteFlushedAtCommitIsNamedByWhoCommittedAndSaysSo");
            assertThat(f.message()).contains(f.writeSite() + " (written when its transaction committed)");
        }
    }

    @Test
    void anExcludedPackageIsNotTheSite() throws Exception {
        try (Connection c = connect("com.acme.shop,!com.acme.shop.infra"); Statement st = c.createStatement()) {
            assertThat(found(st, "missing@dao")).isFalse();
            Dao.insert(st, "missing@dao");
            Finding f = only();
            assertThat(f.writeSite().getClassName()).isEqualTo(CallSitePlumbingTest.class.getName());
        }
    }
}
