package io.shiftwork.pauseresume;

import java.util.Locale;
import java.util.Optional;

/**
 * What must hold right before a pause; the first failed guard is the reason the window is deferred or skipped.
 * Fails closed: a metric that is missing or a statement list that could not be read is a reason not to pause. Pure.
 */
public final class Guards {

    /** CPU must have stayed below the threshold this long: the highest datapoint of this span is compared. */
    public static final java.time.Duration CPU_LOOKBACK = java.time.Duration.ofMinutes(30);

    /** How far back the newest DatabaseConnections datapoint may lie. */
    public static final java.time.Duration CONNECTIONS_LOOKBACK = java.time.Duration.ofMinutes(15);

    /**
     * The cluster as DescribeClusters, CloudWatch and the Data API see it now ({@code cpu}: the highest of the last
     * 30 minutes); a missing metric is null; {@code shiftworkStatementsRunning} is null when ListStatements failed.
     */
    public record ClusterNow(String status, String availabilityStatus, boolean pendingChanges, Double cpu,
            Double connections, Integer shiftworkStatementsRunning) {
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
        if (c.cpu() == null) {
            return Optional.of("no CPUUtilization datapoint in the last " + CPU_LOOKBACK.toMinutes() + " minutes");
        }
        if (c.cpu() >= threshold) {
            return Optional.of(String.format(Locale.ROOT, "CPU reached %.1f%% in the last %d minutes, not below %.1f%%",
                    c.cpu(), CPU_LOOKBACK.toMinutes(), threshold));
        }
        if (c.connections() == null) {
            return Optional.of("no DatabaseConnections datapoint in the last " + CONNECTIONS_LOOKBACK.toMinutes() + " minutes");
        }
        if (c.connections() > maxConnections) {
            return Optional.of(String.format(Locale.ROOT, "%.0f database connections (at most %d allowed)",
                    c.connections(), maxConnections));
        }
        if (c.shiftworkStatementsRunning() == null) {
            return Optional.of("could not list Shiftwork statements (ListStatements failed)");
        }
        if (c.shiftworkStatementsRunning() > 0) {
            return Optional.of(c.shiftworkStatementsRunning() + " Shiftwork statement(s) still running on it");
        }
        return Optional.empty();
    }
}
