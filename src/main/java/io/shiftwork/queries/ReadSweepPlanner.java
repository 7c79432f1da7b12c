package io.shiftwork.queries;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which listed statements the read sweep cancels: only Shiftwork's routed reads (their SQL starts with the owner's
 * comment {@link RoutedReads#ownerTag}, and they ran as the read-only user's secret when one is configured), still
 * SUBMITTED, PICKED or STARTED, submitted at least {@code shiftwork.queries.timeout} ago — the rule
 * {@code GET /queries/{id}} applies to a read it is asked about. Anything else (a pipeline's statement, another
 * tool's, a read that ended) is never chosen, whatever a server-side filter returned.
 */
public final class ReadSweepPlanner {

    /** The Data API statuses of a statement that has not ended. */
    public static final Set<String> RUNNING = Set.of("SUBMITTED", "PICKED", "STARTED");

    /** A statement as ListStatements answered it, with the consumer it was listed for. */
    public record Listed(String id, String consumer, String queryString, String status, Instant createdAt,
            String secretArn) {
    }

    /** A read to cancel: its id, its consumer and how long it has been running. */
    public record Cancel(String id, String consumer, Duration age) {
    }

    private ReadSweepPlanner() {
    }

    /**
     * The reads to cancel at {@code now}, oldest first, each once (a read moving from SUBMITTED to STARTED between
     * two ListStatements calls can be listed twice).
     */
    public static List<Cancel> plan(List<Listed> listed, Instant now, Duration timeout, Optional<String> readerSecret) {
        Map<String, Listed> chosen = new LinkedHashMap<>();
        for (Listed s : listed) {
            if (s.id() == null || s.createdAt() == null || s.status() == null || !RUNNING.contains(s.status())) {
                continue;
            }
            if (s.queryString() == null || !RoutedReads.TAG_READ.matcher(s.queryString()).lookingAt()) {
                continue;
            }
            if (readerSecret.isPresent() && !readerSecret.get().equals(s.secretArn())) {
                continue;
            }
            if (now.isBefore(s.createdAt().plus(timeout))) {
                continue;
            }
            chosen.putIfAbsent(s.id(), s);
        }
        return chosen.values().stream().sorted(Comparator.comparing(Listed::createdAt).thenComparing(Listed::id))
                .map(s -> new Cancel(s.id(), s.consumer(), Duration.between(s.createdAt(), now))).toList();
    }
}
