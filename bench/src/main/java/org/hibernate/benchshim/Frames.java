package org.hibernate.benchshim;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.concurrent.Callable;

/**
 * What Spring and Hibernate put between the application's call site and JDBC: frames of a package the
 * guard counts as infrastructure, so that finding the application's call site walks past them.
 */
public final class Frames {

    private Frames() {
    }

    /** A point select run under {@code depth} frames of "ORM", with a fixed or a new value each time. */
    public static final class Select implements Callable<Long> {
        private final PreparedStatement ps;
        private final int depth;
        private final boolean varying;
        private long counter;

        public Select(PreparedStatement ps, int depth, boolean varying) {
            this.ps = ps;
            this.depth = depth;
            this.varying = varying;
        }

        @Override
        public Long call() throws Exception {
            return run(depth);
        }

        private long run(int d) throws Exception {
            if (d > 0) {
                return run(d - 1);
            }
            ps.setLong(1, varying ? counter++ : 7);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(2);
            }
        }
    }
}
