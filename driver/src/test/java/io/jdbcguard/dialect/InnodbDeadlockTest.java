package io.jdbcguard.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Reading InnoDB's latest detected deadlock out of {@code SHOW ENGINE INNODB STATUS}, as servers print it. */
class InnodbDeadlockTest {

    /** As MariaDB 11.4 printed it here (it-tests' DeadlockAndLockOrderTest), record dumps shortened. */
    static final String MARIADB = String.join("\n",
            "=====================================",
            "2026-12-03 13:13:31 0x7fdfc9c846c0 INNODB MONITOR OUTPUT",
            "------------------------",
            "LATEST DETECTED DEADLOCK",
            "------------------------",
            "2026-12-03 13:13:31 0x7fdfc9c846c0",
            "*** (1) TRANSACTION:",
            "TRANSACTION 28, ACTIVE 0 sec starting index read",
            "mysql tables in use 1, locked 1",
            "LOCK WAIT 4 lock struct(s), heap size 1128, 2 row lock(s), undo log entries 1",
            "MariaDB thread id 6, OS thread handle 140599139780288, query id 46 localhost 127.0.0.1 root Updating",
            "UPDATE DL_STOCK SET QTY = QTY - 1 WHERE ID = 1",
            "*** WAITING FOR THIS LOCK TO BE GRANTED:",
            "RECORD LOCKS space id 9 page no 3 n bits 320 index PRIMARY of table `guard_it`.`DL_STOCK` trx id 28"
                    + " lock_mode X locks rec but not gap waiting",
            " 0: len 8; hex 8000000000000001; asc         ;;",
            "",
            "*** CONFLICTING WITH:",
            "RECORD LOCKS space id 9 page no 3 n bits 320 index PRIMARY of table `guard_it`.`DL_STOCK` trx id 27",
            "",
            "",
            "*** (2) TRANSACTION:",
            "TRANSACTION 27, ACTIVE 0 sec starting index read",
            "mysql tables in use 1, locked 1",
            "LOCK WAIT 4 lock struct(s), heap size 1128, 2 row lock(s), undo log entries 1",
            "MariaDB thread id 5, OS thread handle 140599140087488, query id 41 localhost 127.0.0.1 root Updating",
            "UPDATE DL_ORDER SET STATE = 'open'",
            "  WHERE ID = 1 AND STATE <> 'x'",
            "*** WAITING FOR THIS LOCK TO BE GRANTED:",
            "RECORD LOCKS space id 8 page no 3 n bits 320 index PRIMARY of table `guard_it`.`DL_ORDER` trx id 27",
            "*** CONFLICTING WITH:",
            "RECORD LOCKS space id 8 page no 3 n bits 320 index PRIMARY of table `guard_it`.`DL_ORDER` trx id 28",
            "",
            "*** WE ROLL BACK TRANSACTION (2)",
            "------------",
            "TRANSACTIONS",
            "------------",
            "Trx id counter 40");

    /** MySQL 8's shape: "MySQL thread id", and the sections in the same order. */
    static final String MYSQL = String.join("\n",
            "------------------------",
            "LATEST DETECTED DEADLOCK",
            "------------------------",
            "2026-12-03 13:20:00 140245",
            "*** (1) TRANSACTION:",
            "TRANSACTION 1850, ACTIVE 0 sec starting index read",
            "MySQL thread id 9, OS thread handle 1402, query id 77 localhost 127.0.0.1 app updating",
            "UPDATE account SET balance = balance - 5 WHERE id = 2",
            "",
            "*** (1) HOLDS THE LOCK(S):",
            "RECORD LOCKS space id 2 page no 4 n bits 72 index PRIMARY of table `shop`.`account` trx id 1850",
            "",
            "*** (1) WAITING FOR THIS LOCK TO BE GRANTED:",
            "RECORD LOCKS space id 2 page no 4 n bits 72 index PRIMARY of table `shop`.`account` trx id 1850",
            "",
            "*** (2) TRANSACTION:",
            "TRANSACTION 1851, ACTIVE 0 sec starting index read",
            "MySQL thread id 10, OS thread handle 1403, query id 78 localhost 127.0.0.1 app updating",
            "UPDATE account SET balance = balance + 5 WHERE id = 1",
            "",
            "*** (2) HOLDS THE LOCK(S):",
            "RECORD LOCKS space id 2 page no 4 n bits 72 index PRIMARY of table `shop`.`account` trx id 1851",
            "*** WE ROLL BACK TRANSACTION (1)",
            "------------",
            "TRANSACTIONS");

    @Test
    void mariadb() {
        InnodbDeadlock d = InnodbDeadlock.parse(MARIADB);
        assertThat(d).isNotNull();
        assertThat(d.victimSql()).isEqualTo("UPDATE DL_ORDER SET STATE = 'open'\n  WHERE ID = 1 AND STATE <> 'x'");
        assertThat(d.otherSql()).isEqualTo("UPDATE DL_STOCK SET QTY = QTY - 1 WHERE ID = 1");
        // The connection that got 1213 ran the DL_STOCK update: the other side is picked by text.
        assertThat(d.otherThan(s -> s.startsWith("UPDATE DL_STOCK"))).startsWith("UPDATE DL_ORDER");
        assertThat(d.otherThan(s -> s.startsWith("UPDATE DL_ORDER"))).startsWith("UPDATE DL_STOCK");
        assertThat(d.otherThan(s -> s.startsWith("DELETE"))).as("another deadlock").isNull();
    }

    @Test
    void mysql() {
        InnodbDeadlock d = InnodbDeadlock.parse(MYSQL);
        assertThat(d.victimSql()).isEqualTo("UPDATE account SET balance = balance - 5 WHERE id = 2");
        assertThat(d.otherSql()).isEqualTo("UPDATE account SET balance = balance + 5 WHERE id = 1");
    }

    @Test
    void noDeadlockYetOrNothingToRead() {
        assertThat(InnodbDeadlock.parse("=====\nTRANSACTIONS\n------------\nTrx id counter 4")).isNull();
        assertThat(InnodbDeadlock.parse(null)).isNull();
        assertThat(InnodbDeadlock.parse("LATEST DETECTED DEADLOCK\n------\n*** (1) TRANSACTION:\n")).isNull();
    }
}
