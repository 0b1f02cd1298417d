package com.acme.shop.infra;

import java.sql.SQLException;
import org.hibernate.guardtest.FakeSession;

/** An application's own transaction wrapper: its commit makes the ORM flush. */
public final class TxWrapper {

    public void commit(FakeSession session) throws SQLException {
        session.flushBeforeTransactionCompletion();
    }
}
