package io.shiftwork.pauseresume;

import java.util.Optional;

/** What must hold right before a pause; the first failed guard is the reason the window is skipped. Pure. */
public final class Guards {

    /** CPU must have stayed below the threshold this long: the highest datapoint of this span is compared. */
    public static final java.time.Duration CPU_LOOKBACK = java.time.Duration.ofMinutes(30);

    /** The cluster as DescribeClusters and CloudWatch see it now ({@code cpu}: the highest of the last 30 minutes); a missing metric is null. */
    public record ClusterNow(String status, String availabilityStatus, boolean pendingChanges, Double cpu,
            Double connections, int shiftworkStatementsRunning) {
    }

    private Guards() {
    }

    public static Optional<String> check(ClusterNow c, double threshold, int maxConnections) {
        if (!"available".equalsIgnoreCase(c.status())) {
            return Optional.of("cluster is " + c.status() + ", not available");
        }
        if (c.availabilityStatus() != null && !"Available".equalsIgnoreCase(c.availabilityStatus())) {
            return Optional.of("cluster availability is " + c.availabilityStatus() + " (maintenance or modification)");
        }
        if (c.pendingChanges()) {
            return Optional.of("cluster has pending modifications");
        }
        if (c.cpu() != null && c.cpu() >= threshold) {
            return Optional.of(String.format(java.util.Locale.ROOT, "CPU reached %.1f%% in the last %d minutes, not below %.1f%%",
                    c.cpu(), CPU_LOOKBACK.toMinutes(), threshold));
        }
        if (c.connections() != null && c.connections() > maxConnections) {
            return Optional.of(String.format(java.util.Locale.ROOT, "%.0f database connections (at most %d allowed)",
                    c.connections(), maxConnections));
        }
        if (c.shiftworkStatementsRunning() > 0) {
            return Optional.of(c.shiftworkStatementsRunning() + " Shiftwork statement(s) still running on it");
        }
        return Optional.empty();
    }
}
