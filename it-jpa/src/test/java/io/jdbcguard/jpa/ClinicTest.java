package io.jdbcguard.jpa;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdbcguard.Finding;
import io.jdbcguard.Guard;
import io.jdbcguard.JdbcGuard;
import io.jdbcguard.jpa.app.ClinicService;
import io.jdbcguard.jpa.app.Owner;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Issue 10: a Spring Boot 4 / Hibernate 7 / Spring Data JPA / HikariCP application on MariaDB through
 * {@code jdbc:guard:}. Each unsafe flow races for real with threads, and one single-threaded run reports
 * it once with the service's call sites; the safe flows and the ordinary ones report nothing.
 */
class ClinicTest {

    static ConfigurableApplicationContext context;
    static ClinicService clinic;
    final List<Finding> findings = new CopyOnWriteArrayList<>();
    JdbcGuard.Registration registration;

    @BeforeAll
    static void start() {
        context = ClinicContext.start("clinic");
        clinic = context.getBean(ClinicService.class);
        clinic.newType("cat");
    }

    @AfterAll
    static void stop() {
        context.close();
    }

    @BeforeEach
    void listen() throws Exception {
        Guard.global().awaitFindings(10_000);
        findings.clear();
        registration = JdbcGuard.addFindingListener(findings::add);
    }

    List<Finding> settled() throws Exception {
        assertThat(Guard.global().awaitFindings(10_000)).isTrue();
        registration.close();
        return findings.stream().filter(f -> f.level().atLeast(Finding.Level.WARN)).collect(Collectors.toList());
    }

    @Test
    void getOrCreateByANaturalKeyIsReportedWithTheServicesSites() throws Exception {
        clinic.ownerFor("608-555-0001");
        clinic.ownerFor("608-555-0001"); // found the second time: no pattern
        List<Finding> f = settled();
        assertThat(f).singleElement().satisfies(x -> {
            assertThat(x.rule()).isEqualTo("check-then-insert");
            assertThat(x.level()).isEqualTo(Finding.Level.ERROR);
            assertThat(x.table()).isEqualTo("owners");
            assertThat(x.columns()).containsExactly("telephone");
            assertThat(x.checkSite().getClassName()).isEqualTo(ClinicService.class.getName());
            assertThat(x.writeSite().getClassName()).isEqualTo(ClinicService.class.getName());
            assertThat(x.checkSql()).startsWith("select o1_0.id,").endsWith("from owners o1_0 where o1_0.telephone=?");
            assertThat(x.message()).contains("DataIntegrityViolationException").contains("PESSIMISTIC_WRITE");
        });
    }

    @Test
    void anEditWithoutVersionIsReportedWithVersionAsTheFix() throws Exception {
        Long id = clinic.ownerFor("608-555-0002").getId();
        findings.clear();
        clinic.visit(id);
        List<Finding> f = settled();
        assertThat(f).singleElement().satisfies(x -> {
            assertThat(x.rule()).isEqualTo("lost-update");
            assertThat(x.table()).isEqualTo("owners");
            assertThat(x.columns()).contains("visits");
            assertThat(x.checkSite().getClassName()).isEqualTo(ClinicService.class.getName());
            assertThat(x.message()).contains("@Version").doesNotContain("SET address = address + ?");
            // findById reads the owner with its eager pets and their types: a read of the root by its key.
            assertThat(x.checkSql()).contains(" from owners o1_0 left join pets p1_0 on ")
                    .endsWith("where o1_0.id=?");
        });
    }

    @Test
    void readInOneTransactionWrittenInTheNextIsReported() throws Exception {
        Long id = clinic.ownerFor("608-555-0006").getId();
        Owner detached = clinic.find(id); // the page shows it ...
        detached.setCity("Monona");        // ... the user edits it ...
        findings.clear();
        clinic.save(detached);             // ... and the next request merges it back
        List<Finding> f = settled();
        assertThat(f).singleElement().satisfies(x -> {
            assertThat(x.rule()).isEqualTo("lost-update");
            assertThat(x.columns()).contains("city");
            // The UPDATE is flushed when save()'s transaction commits, in Spring's interceptor: the application's
            // frame on that path is the code that called the transactional service.
            assertThat(x.writeSite().getMethodName()).isEqualTo("readInOneTransactionWrittenInTheNextIsReported");
            assertThat(x.checkSite().getClassName()).isEqualTo(ClinicService.class.getName());
        });
    }

    @Test
    void addingAChildAfterASqlCheckIsReportedThoughItsParentKeyComesInASecondStatement() throws Exception {
        Long id = clinic.ownerFor("608-555-0003").getId();
        findings.clear();
        clinic.addPet(id, "Leo");
        List<Finding> f = settled();
        assertThat(f).singleElement().satisfies(x -> {
            assertThat(x.rule()).isEqualTo("check-then-insert");
            assertThat(x.table()).isEqualTo("pets");
            assertThat(x.columns()).containsExactly("owner_id", "name");
            assertThat(x.checkSite().getMethodName()).isEqualTo("addPet");
            assertThat(x.sql()).startsWith("insert into pets (");
        });
    }

    /** Issue 20, item 7: a pet edited through its owner's collection loses concurrent edits like the owner form. */
    @Test
    void editingAPetReadAsItsOwnersCollectionIsReported() throws Exception {
        Long id = clinic.ownerFor("608-555-0007").getId();
        clinic.addPet(id, "Rosy");
        Guard.global().awaitFindings(10_000);
        findings.clear();
        clinic.renamePet(id, "Rosy", "Rosie");
        List<Finding> f = settled();
        assertThat(f).singleElement().satisfies(x -> {
            assertThat(x.rule()).isEqualTo("lost-update");
            assertThat(x.table()).isEqualTo("pets");
            assertThat(x.columns()).contains("name").doesNotContain("owner_id");
            assertThat(x.checkSite().getMethodName()).isEqualTo("renamePet");
            assertThat(x.checkSql()).contains(" from owners o1_0 left join pets p1_0 on ");
            assertThat(x.sql()).startsWith("update pets set ");
            assertThat(x.message()).contains("the collection of one owners row").contains("@Version");
        });
    }

    /**
     * Issue 23: the get-or-create with a PESSIMISTIC_WRITE lookup makes no duplicate at REPEATABLE READ, but
     * every concurrent caller takes the same gap lock and all but one die at the insert.
     */
    @Test
    void aPessimisticLookupThenSaveIsAGapLockInsert() throws Exception {
        clinic.ownerForLocked("608-555-0004");
        List<Finding> f = settled();
        assertThat(f).singleElement().satisfies(x -> {
            assertThat(x.rule()).isEqualTo("gap-lock-insert");
            assertThat(x.table()).isEqualTo("owners");
            assertThat(x.checkSite().getMethodName()).isEqualTo("ownerForLocked");
            assertThat(x.message()).contains("deadlock (1213)").contains("INSERT first");
        });
    }

    /** Issue 23, item 2, in Hibernate's shape: a PESSIMISTIC_WRITE finder by a column no index serves. */
    @Test
    void aPessimisticFinderByAnUnindexedColumnIsLockWithoutIndex() throws Exception {
        clinic.ownerFor("608-555-0031");
        Guard.global().awaitFindings(10_000);
        findings.clear();
        Guard.global().forgetCurrentThread(); // the Franklins other tests read just before are no opener here
        assertThat(clinic.moveFamily("Franklin", "Madison")).isPositive();
        assertThat(settled()).singleElement().satisfies(x -> {
            assertThat(x.rule()).isEqualTo("lock-without-index");
            assertThat(x.table()).isEqualTo("owners");
            assertThat(x.columns()).containsExactly("last_name");
            assertThat(x.writeSite().getMethodName()).isEqualTo("moveFamily");
            assertThat(x.message()).contains("its indexes start with id, telephone",
                    "CREATE INDEX ix_owners_last_name ON owners (last_name)");
        });
    }

    @Test
    void safeAndOrdinaryFlowsReportNothing() throws Exception {
        Long account = clinic.accountFor("ann@x").getId();
        clinic.accountFor("ann@x"); // the duplicate, caught
        clinic.deposit(account, 10);
        clinic.newType("dog");
        Long owner = clinic.ownerFor("608-555-0009").getId();
        Guard.global().awaitFindings(10_000);
        findings.clear();
        clinic.ownerForLocked("608-555-0009"); // found: its lock is on the row, and nothing is inserted
        clinic.find(owner);
        clinic.countOwnersWith("608-555-0009");
        assertThat(settled()).isEmpty();
    }

    @Test
    void theUnsafeFlowsReallyRace() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            int duplicates = 0;
            for (int k = 0; k < 20; k++) {
                String phone = "608-555-9" + String.format("%03d", k);
                CyclicBarrier start = new CyclicBarrier(8);
                List<Future<?>> all = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    all.add(pool.submit(() -> {
                        start.await();
                        try {
                            return clinic.ownerFor(phone);
                        } catch (org.springframework.dao.IncorrectResultSizeDataAccessException duplicated) {
                            return null; // a thread that found the duplicates others made: the race's symptom
                        }
                    }));
                }
                for (Future<?> f : all) {
                    f.get(30, TimeUnit.SECONDS);
                }
                duplicates += clinic.countOwnersWith(phone) - 1;
            }
            assertThat(duplicates).as("owners created twice or more for one telephone").isPositive();

            Long id = clinic.ownerFor("608-555-0005").getId();
            CyclicBarrier start = new CyclicBarrier(8);
            List<Future<?>> all = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                all.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 25; i++) {
                        clinic.visit(id);
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get(60, TimeUnit.SECONDS);
            }
            Owner o = clinic.find(id);
            int lost = 8 * 25 - o.getVisits();
            assertThat(o.getVisits() + lost).isEqualTo(200);
            assertThat(lost).as("visits lost to concurrent edits without @Version").isPositive();

            // Read in one transaction, merged back in the next: the city another thread wrote is overwritten.
            Long merged = clinic.ownerFor("608-555-0007").getId();
            CyclicBarrier both = new CyclicBarrier(8);
            List<Future<?>> edits = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int n = t;
                edits.add(pool.submit(() -> {
                    Owner mine = clinic.find(merged);
                    both.await();
                    mine.setVisits(mine.getVisits() + 1);
                    mine.setCity("city-" + n);
                    clinic.save(mine);
                    return null;
                }));
            }
            for (Future<?> f : edits) {
                f.get(60, TimeUnit.SECONDS);
            }
            assertThat(clinic.find(merged).getVisits()).as("eight merges, one visit counted").isEqualTo(1);

            // Add a child after a SQL existence check: the same pet added more than once.
            int doubled = 0;
            for (int k = 0; k < 10; k++) {
                Long owner = clinic.ownerFor("608-555-8" + String.format("%03d", k)).getId();
                CyclicBarrier go = new CyclicBarrier(8);
                List<Future<?>> adds = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    adds.add(pool.submit(() -> {
                        go.await();
                        clinic.addPet(owner, "Basil");
                        return null;
                    }));
                }
                for (Future<?> f : adds) {
                    f.get(60, TimeUnit.SECONDS);
                }
                doubled += clinic.find(owner).getPets().size() - 1;
            }
            assertThat(doubled).as("pets added twice or more under one name").isPositive();
        } finally {
            pool.shutdownNow();
        }
    }
}
