package io.jdbcguard.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import io.jdbcguard.junit5.samples.AllowedSample;
import io.jdbcguard.junit5.samples.SafeSample;
import io.jdbcguard.junit5.samples.SwallowedSample;
import io.jdbcguard.junit5.samples.UnsafeSample;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;
import org.opentest4j.AssertionFailedError;

/** The extension, driven through JUnit Platform's EngineTestKit over the sample classes, on the real server. */
class JdbcGuardExtensionTest {

    private static Events run(Class<?> sample) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(sample)).execute().testEvents();
    }

    @Test
    void anUnsafeFlowFailsItsTestWithTheFinding() {
        Events events = run(UnsafeSample.class);
        events.assertStatistics(s -> s.started(2).succeeded(1).failed(1));
        events.assertThatEvents().haveExactly(1, event(test("getOrCreateChecksThenInserts"),
                finishedWithFailure(instanceOf(AssertionFailedError.class),
                        message(m -> m.contains("jdbc-guard: this test made 1 finding(s)")
                                && m.contains("ERROR [check-then-insert] jx_unsafe(email)")
                                && m.contains("a SELECT at io.jdbcguard.junit5.samples.Samples.getOrCreate(")))));
        // Once per place in the log, but every occurrence fails its test: a second run fails again.
        run(UnsafeSample.class).assertStatistics(s -> s.failed(1));
    }

    /** Issue 23: each lock rule fails the test that made its finding, and the report lists them. */
    @Test
    void eachLockRuleFailsItsTestAndTheReportListsThem(@TempDir Path dir) throws Exception {
        String before = System.getProperty("jdbcguard.report.dir");
        System.setProperty("jdbcguard.report.dir", dir.toString());
        Events events;
        try {
            events = run(io.jdbcguard.junit5.samples.LockSample.class);
        } finally {
            if (before == null) {
                System.clearProperty("jdbcguard.report.dir");
            } else {
                System.setProperty("jdbcguard.report.dir", before);
            }
        }
        events.assertStatistics(s -> s.started(4).failed(4));
        events.assertThatEvents()
                .haveExactly(1, event(test("aLockingCheckThenItsInsert"),
                        finishedWithFailure(message(m -> m.contains("WARN [gap-lock-insert] jx_gap(email)")))))
                .haveExactly(1, event(test("anUpdateByAColumnWithoutIndex"),
                        finishedWithFailure(message(m -> m.contains("WARN [lock-without-index] jx_job(worker)")))))
                .haveExactly(1, event(test("twoTablesLockedInOppositeOrders"),
                        finishedWithFailure(message(m -> m.contains("WARN [lock-order] jx_b, jx_a")))))
                .haveExactly(1, event(test("aRealDeadlock"),
                        finishedWithFailure(message(m -> m.contains("WARN [deadlock] jx_dl")))));
        String json = Files.readString(dir.resolve("jdbc-guard-report.json"), StandardCharsets.UTF_8);
        for (String rule : new String[] {"gap-lock-insert", "lock-without-index", "lock-order", "deadlock"}) {
            assertThat(json).contains("\"rule\": \"" + rule + "\"");
        }
        assertThat(json).contains("\"fix\": \"CREATE INDEX ix_jx_job_worker ON jx_job (worker)")
                .contains("\"rule\": \"lock-order\", \"level\": \"WARN\", \"kind\": \"can happen\"")
                .contains("\"rule\": \"deadlock\", \"level\": \"WARN\", \"kind\": \"happened\"");
    }

    /** Issue 24: a race that happened fails the test, and says so apart from the patterns that can happen. */
    @Test
    void aRaceThatHappenedFailsTheTestAsHappened() {
        Events events = run(io.jdbcguard.junit5.samples.RaceSample.class);
        events.assertStatistics(s -> s.started(1).failed(1));
        events.assertThatEvents().haveExactly(1, event(test("twoThreadsEditOneRowAtOnce"),
                finishedWithFailure(message(m -> m.contains("happened: ERROR [observed-race] lost-update: jx_counter(n)")
                        && m.contains("can happen: WARN [lost-update] jx_counter(n)")))));
    }

    @Test
    void aSafeFlowPasses() {
        run(SafeSample.class).assertStatistics(s -> s.started(1).succeeded(1).failed(0));
    }

    @Test
    void allowFindingAcceptsOnlyWhatItNames() {
        Events events = run(AllowedSample.class);
        events.assertStatistics(s -> s.started(3).succeeded(2).failed(1));
        events.assertThatEvents()
                .haveExactly(1, event(test("acceptedOnTheMethod"), finishedSuccessfully()))
                .haveExactly(1, event(test("acceptedOnTheClass"), finishedSuccessfully()))
                .haveExactly(1, event(test("acceptedForAnotherTableOnly"),
                        finishedWithFailure(message(m -> m.contains("jx_not_allowed(email)")))));
    }

    @Test
    void aSwallowedUnsafePatternExceptionAndAnotherThreadStillFailTheTest() {
        Events events = run(SwallowedSample.class);
        events.assertStatistics(s -> s.started(2).failed(2));
        events.assertThatEvents()
                .haveExactly(1, event(test("theApplicationCatchesEverything"),
                        finishedWithFailure(message(m -> m.contains("[check-then-insert] jx_swallowed(email)")))))
                .haveExactly(1, event(test("onAnotherThreadTheTestStarted"),
                        finishedWithFailure(message(m -> m.contains("[check-then-insert] jx_thread(email)")))));
    }

    @Test
    void theRunWritesTheReportWithTheFirstTestThatHitEachPlace(@TempDir Path dir) throws Exception {
        String before = System.getProperty("jdbcguard.report.dir");
        System.setProperty("jdbcguard.report.dir", dir.toString());
        try {
            run(AllowedSample.class);
        } finally {
            if (before == null) {
                System.clearProperty("jdbcguard.report.dir");
            } else {
                System.setProperty("jdbcguard.report.dir", before);
            }
        }
        String json = Files.readString(dir.resolve("jdbc-guard-report.json"), StandardCharsets.UTF_8);
        assertThat(json).contains("\"rule\": \"check-then-insert\"").contains("\"table\": \"jx_not_allowed\"")
                .contains("\"firstSeenBy\": \"" + AllowedSample.class.getName() + "#acceptedForAnotherTableOnly\"")
                .contains("\"sql\": \"INSERT INTO jx_not_allowed (email) VALUES (?)\"")
                .contains("\"fix\": \"add a UNIQUE index on (email)");
        String html = Files.readString(dir.resolve("jdbc-guard-report.html"), StandardCharsets.UTF_8);
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<script id=\"data\" type=\"application/json\">")
                .contains("jx_not_allowed").doesNotContain("http://").doesNotContain("https://");
    }
}
