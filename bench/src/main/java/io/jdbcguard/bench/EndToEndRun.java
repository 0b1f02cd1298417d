package io.jdbcguard.bench;

import java.util.Locale;

/**
 * One end-to-end run in a JVM of its own (its own embedded server, JIT and warm-up), so that consecutive
 * runs are independent measurements. Prints one line per workload and variant:
 * {@code E2E <workload> <variant> <median> <p25> <p75> <raw ops/s>}.
 */
public final class EndToEndRun {

    private EndToEndRun() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = args.length > 0 && args[0].equals("quick");
        int cores = Runtime.getRuntime().availableProcessors();
        EndToEnd.serverVersion(); // starts the server before pinning it with this JVM
        String pinned = EndToEnd.pin("0");
        System.out.println("PINNED " + pinned);
        int rounds = quick ? 4 : 30;
        long slice = quick ? 100 : 200;
        int warmup = quick ? 2 : EndToEnd.WARMUP_SLICES;
        print("point", EndToEnd.pointSelect(rounds, slice, warmup));
        print("cti", EndToEnd.checkThenInsert(4, rounds, slice, warmup));
        EndToEnd.pin("0-" + (cores - 1));
        System.exit(0);
    }

    private static void print(String workload, EndToEnd.Result r) {
        r.ratios().forEach((v, s) -> System.out.println(String.format(Locale.ROOT, "E2E %s %s %.4f %.4f %.4f %.1f",
                workload, v, s.median(), s.p25(), s.p75(), r.rawOpsPerSecond().median())));
    }
}
