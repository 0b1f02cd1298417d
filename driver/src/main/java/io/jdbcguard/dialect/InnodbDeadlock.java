package io.jdbcguard.dialect;

/**
 * InnoDB's latest detected deadlock, as {@code SHOW ENGINE INNODB STATUS} prints it (MySQL and MariaDB alike):
 * the statement each of the two transactions was running, and which one the server rolled back. The texts are
 * the server's, with their values; a caller masks them before they reach a log line.
 *
 * <p>Which of the two the server rolled back is printed ({@code WE ROLL BACK TRANSACTION (n)}), but MariaDB 11
 * was seen to name the other one than the connection that got the 1213; a caller that knows its victim's
 * statement should pick by text ({@link #otherThan}).
 *
 * @param victimSql the statement of the transaction the report says it rolled back
 * @param otherSql  the statement of the other transaction
 */
public record InnodbDeadlock(String victimSql, String otherSql) {

    /**
     * The statement of the side that is not {@code mine} (compared by {@code same}), or {@code null} when
     * neither side is: then the report is of another deadlock.
     */
    public String otherThan(java.util.function.Predicate<String> mine) {
        if (mine.test(victimSql)) {
            return otherSql;
        }
        return mine.test(otherSql) ? victimSql : null;
    }

    private static final String SECTION = "LATEST DETECTED DEADLOCK";
    private static final String TRANSACTION = "*** (";
    private static final String ROLLED_BACK = "*** WE ROLL BACK TRANSACTION (";

    /** The status's latest deadlock, or {@code null} when it has none or it cannot be read. */
    public static InnodbDeadlock parse(String status) {
        if (status == null) {
            return null;
        }
        int at = status.indexOf(SECTION);
        if (at < 0) {
            return null;
        }
        String[] lines = status.substring(at).split("\n");
        String[] statements = new String[3];
        int victim = 0;
        int current = 0;
        boolean inStatement = false;
        StringBuilder sql = null;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].stripTrailing();
            if (line.startsWith("------------") && i > 3) {
                break; // the next section
            }
            if (line.startsWith(ROLLED_BACK)) {
                victim = digit(line, ROLLED_BACK.length());
            } else if (line.startsWith(TRANSACTION) && line.contains(") TRANSACTION")) {
                current = digit(line, TRANSACTION.length());
            } else if (line.startsWith("***")) {
                if (inStatement && current > 0 && current < 3 && sql != null) {
                    statements[current] = sql.toString().strip();
                }
                inStatement = false;
            } else if (inStatement) {
                sql.append(sql.length() > 0 ? "\n" : "").append(line);
            } else if (current > 0 && (line.startsWith("MySQL thread id") || line.startsWith("MariaDB thread id"))) {
                inStatement = true;
                sql = new StringBuilder();
            }
        }
        if (victim < 1 || victim > 2 || statements[1] == null || statements[2] == null) {
            return null;
        }
        return new InnodbDeadlock(statements[victim], statements[3 - victim]);
    }

    private static int digit(String line, int at) {
        return at < line.length() && Character.isDigit(line.charAt(at)) ? line.charAt(at) - '0' : 0;
    }
}
