package io.jdbcguard.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Median and interquartile range of a sample. */
record Stats(double median, double p25, double p75, int n) {

    static Stats of(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        return new Stats(quantile(v, 0.5), quantile(v, 0.25), quantile(v, 0.75), v.size());
    }

    private static double quantile(List<Double> sorted, double q) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        double pos = q * (sorted.size() - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted.get(lo) + (sorted.get(hi) - sorted.get(lo)) * (pos - lo);
    }

    String ratio() {
        return String.format("%.3f (IQR %.3f–%.3f)", median, p25, p75);
    }
}
