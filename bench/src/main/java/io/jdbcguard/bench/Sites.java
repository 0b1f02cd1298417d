package io.jdbcguard.bench;

import java.util.concurrent.Callable;

/** 64 distinct call sites of one query, each a line of its own, as an application's many findById callers. */
final class Sites {

    private Sites() {
    }

    @SuppressWarnings("unchecked")
    static Callable<Long>[] of(Callable<Long> q) {
        Callable<Long>[] s = new Callable[64];
        s[0] = () -> q.call();
        s[1] = () -> q.call();
        s[2] = () -> q.call();
        s[3] = () -> q.call();
        s[4] = () -> q.call();
        s[5] = () -> q.call();
        s[6] = () -> q.call();
        s[7] = () -> q.call();
        s[8] = () -> q.call();
        s[9] = () -> q.call();
        s[10] = () -> q.call();
        s[11] = () -> q.call();
        s[12] = () -> q.call();
        s[13] = () -> q.call();
        s[14] = () -> q.call();
        s[15] = () -> q.call();
        s[16] = () -> q.call();
        s[17] = () -> q.call();
        s[18] = () -> q.call();
        s[19] = () -> q.call();
        s[20] = () -> q.call();
        s[21] = () -> q.call();
        s[22] = () -> q.call();
        s[23] = () -> q.call();
        s[24] = () -> q.call();
        s[25] = () -> q.call();
        s[26] = () -> q.call();
        s[27] = () -> q.call();
        s[28] = () -> q.call();
        s[29] = () -> q.call();
        s[30] = () -> q.call();
        s[31] = () -> q.call();
        s[32] = () -> q.call();
        s[33] = () -> q.call();
        s[34] = () -> q.call();
        s[35] = () -> q.call();
        s[36] = () -> q.call();
        s[37] = () -> q.call();
        s[38] = () -> q.call();
        s[39] = () -> q.call();
        s[40] = () -> q.call();
        s[41] = () -> q.call();
        s[42] = () -> q.call();
        s[43] = () -> q.call();
        s[44] = () -> q.call();
        s[45] = () -> q.call();
        s[46] = () -> q.call();
        s[47] = () -> q.call();
        s[48] = () -> q.call();
        s[49] = () -> q.call();
        s[50] = () -> q.call();
        s[51] = () -> q.call();
        s[52] = () -> q.call();
        s[53] = () -> q.call();
        s[54] = () -> q.call();
        s[55] = () -> q.call();
        s[56] = () -> q.call();
        s[57] = () -> q.call();
        s[58] = () -> q.call();
        s[59] = () -> q.call();
        s[60] = () -> q.call();
        s[61] = () -> q.call();
        s[62] = () -> q.call();
        s[63] = () -> q.call();
        return s;
    }
}
