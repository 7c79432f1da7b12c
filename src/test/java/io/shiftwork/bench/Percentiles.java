package io.shiftwork.bench;

import java.util.Arrays;

/** Latency summary for the benchmarks. */
final class Percentiles {

    private final double[] sortedMs;

    Percentiles(long[] nanos) {
        sortedMs = Arrays.stream(nanos).mapToDouble(n -> n / 1e6).sorted().toArray();
    }

    double at(double p) {
        int i = (int) Math.ceil(p / 100.0 * sortedMs.length) - 1;
        return sortedMs[Math.max(0, Math.min(sortedMs.length - 1, i))];
    }

    double max() {
        return sortedMs[sortedMs.length - 1];
    }

    static String ms(double v) {
        return String.format(java.util.Locale.ROOT, "%.2f", v);
    }
}
