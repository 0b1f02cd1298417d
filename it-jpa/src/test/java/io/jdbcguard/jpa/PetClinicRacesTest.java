package io.jdbcguard.jpa;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdbcguard.Finding;
import io.jdbcguard.Guard;
import io.jdbcguard.GuardStats;
import io.jdbcguard.JdbcGuard;
import io.jdbcguard.it.Concurrently;
import io.jdbcguard.jpa.app.ClinicService;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Issue 24 on the clinic application, petclinic's shape: an owner with its pets (eager), "add a pet" with the
 * duplicate-name check in Java, "edit an owner" without {@code @Version}. Under 8 concurrent requests the
 * guard reports the races that actually happened, with the service's sites and exact counts (8 requests that
 * all overlap make 28 pairs); one request at a time, different names, the parent locked or {@code @Version}:
 * no observed race.
 */
class PetClinicRacesTest {

    static ConfigurableApplicationContext context;
    static ClinicService clinic;
    final List<Finding> findings = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        context = ClinicContext.start("petclinic_races");
        clinic = context.getBean(ClinicService.class);
        clinic.newType("cat");
    }

    @AfterAll
    static void stop() {
        context.close();
    }

    JdbcGuard.Registration registration;

    @BeforeEach
    void listen() throws Exception {
        Guard.global().awaitFindings(10_000);
        registration = JdbcGuard.addFindingListener(findings::add);
    }

    @org.junit.jupiter.api.AfterEach
    void stopListening() {
        registration.close();
    }

    /** 8 requests at once on the application's pool; {@code request} gets its number. */
    static Map<String, Long> eightAtOnce(IntConsumer request) throws Exception {
        return findingsOf(() -> Concurrently.run(8, n -> {
            try {
                request.accept(n);
            } catch (org.springframework.orm.ObjectOptimisticLockingFailureException lostTheRace) {
                // @Version: the losers fail, as they should
            }
        }));
    }

    interface Work {
        void run() throws Exception;
    }

    static Map<String, Long> findingsOf(Work work) throws Exception {
        Map<String, Long> before = GuardStats.findingsByRule();
        work.run();
        assertThat(GuardStats.awaitFindings(10_000)).isTrue();
        Map<String, Long> delta = new java.util.TreeMap<>();
        GuardStats.findingsByRule().forEach((k, v) -> {
            if (v - before.getOrDefault(k, 0L) != 0) {
                delta.put(k, v - before.getOrDefault(k, 0L));
            }
        });
        return delta;
    }

    static Runnable await(CyclicBarrier b) {
        return () -> {
            try {
                b.await(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    @Test
    void eightConcurrentAddsOfOnePetNameAreOneDuplicateChildFinding() throws Exception {
        Long owner = clinic.ownerFor("608-555-2401").getId();
        CyclicBarrier checked = new CyclicBarrier(8);
        Map<String, Long> found = eightAtOnce(n -> clinic.addPetNamed(owner, "Leo", await(checked)));
        assertThat(clinic.find(owner).getPets()).filteredOn(p -> p.getName().equals("Leo")).hasSize(8);
        assertThat(found).as("every pair of the 8 requests").containsEntry("observed-race", 28L);
        List<Finding> races = findings.stream().filter(Finding::happened).toList();
        assertThat(races).extracting(Finding::place).as("one place").containsOnly(races.get(0).place());
        Finding f = races.get(0);
        assertThat(f.race()).isEqualTo("duplicate-child");
        assertThat(f.level()).isEqualTo(Finding.Level.ERROR);
        assertThat(f.table()).isEqualTo("pets");
        assertThat(f.columns()).contains("name");
        assertThat(f.checkSite().getClassName()).isEqualTo("io.jdbcguard.jpa.app.ClinicService");
        assertThat(f.checkSite().getMethodName()).isEqualTo("addPetNamed");
    }

    @Test
    void differentNamesOneAtATimeOrALockedOwnerAreNoRace() throws Exception {
        Long owner = clinic.ownerFor("608-555-2402").getId();
        CyclicBarrier checked = new CyclicBarrier(8);
        assertThat(eightAtOnce(n -> clinic.addPetNamed(owner, "Pet" + n, await(checked))))
                .as("different names are not a race").doesNotContainKey("observed-race");
        assertThat(findingsOf(() -> {
            for (int n = 0; n < 8; n++) {
                clinic.addPetNamed(owner, "Solo", () -> { });
            }
        })).as("one request at a time").doesNotContainKey("observed-race");
        assertThat(eightAtOnce(n -> clinic.addPetNamedLocked(owner, "Locked")))
                .as("the owner read FOR UPDATE: the check sees the first pet").doesNotContainKey("observed-race");
        assertThat(clinic.find(owner).getPets()).filteredOn(p -> p.getName().equals("Locked")).hasSize(1);
    }

    @Test
    void eightConcurrentOwnerEditsAreLostUpdatesAndVersionedOnesAreNot() throws Exception {
        Long owner = clinic.ownerFor("608-555-2403").getId();
        int before = clinic.find(owner).getVisits();
        CyclicBarrier read = new CyclicBarrier(8);
        Map<String, Long> found = eightAtOnce(n -> clinic.editOwner(owner, "City" + n, await(read)));
        assertThat(clinic.find(owner).getVisits()).as("8 edits, 7 lost").isEqualTo(before + 1);
        assertThat(found).containsEntry("observed-race", 28L);
        assertThat(findings.stream().filter(Finding::happened)).allSatisfy(f -> {
            assertThat(f.race()).isEqualTo("lost-update");
            assertThat(f.table()).isEqualTo("owners");
            assertThat(f.columns()).contains("visits", "city");
            assertThat(f.checkSite().getMethodName()).isEqualTo("editOwner");
        });

        Long account = clinic.accountFor("races@x").getId();
        CyclicBarrier readAccount = new CyclicBarrier(8);
        assertThat(eightAtOnce(n -> clinic.depositHeld(account, 1, await(readAccount))))
                .as("@Version: the losers fail, nothing is lost").doesNotContainKey("observed-race");
    }
}
