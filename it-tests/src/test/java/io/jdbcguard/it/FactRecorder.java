package io.jdbcguard.it;

import io.jdbcguard.fact.ExecutionFact;
import io.jdbcguard.fact.FactBus;
import io.jdbcguard.fact.FactListener;
import io.jdbcguard.fact.TransactionEvent;
import io.jdbcguard.sql.StatementKind;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Records the facts of the current thread while registered. */
final class FactRecorder implements FactListener, AutoCloseable {

    final List<ExecutionFact> facts = new ArrayList<>();
    final List<TransactionEvent> ends = new ArrayList<>();
    private final Thread thread = Thread.currentThread();
    private final FactBus.Registration registration;

    FactRecorder() {
        registration = io.jdbcguard.Guard.global().core().runtime().bus().register(this);
    }

    @Override
    public Set<StatementKind> kinds() {
        return EnumSet.allOf(StatementKind.class);
    }

    @Override
    public synchronized void onExecution(ExecutionFact fact) {
        if (fact.thread() == thread) {
            facts.add(fact);
        }
    }

    @Override
    public synchronized void onTransactionEnd(TransactionEvent event) {
        if (event.thread() == thread) {
            ends.add(event);
        }
    }

    ExecutionFact last() {
        return facts.get(facts.size() - 1);
    }

    @Override
    public void close() {
        registration.close();
    }
}
