package io.shiftwork.queries;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ReadSweepPlannerTest {

    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final String SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shiftwork/queries-reader";
    static final String READ = RoutedReads.ownerTag("alice", 1000) + "SELECT pg_sleep(3600)";

    private static ReadSweepPlanner.Listed listed(String id, String sql, String status, long secondsAgo, String secret) {
        return new ReadSweepPlanner.Listed(id, "bi-consumer-1", sql, status, NOW.minusSeconds(secondsAgo), secret);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            # case                                       | sql             | status    | seconds ago | secret  | cancelled
            a STARTED read past the timeout              | READ            | STARTED   | 31          | SECRET  | true
            a SUBMITTED read past the timeout            | READ            | SUBMITTED | 3600        | SECRET  | true
            a PICKED read past the timeout               | READ            | PICKED    | 31          | SECRET  | true
            exactly at the timeout, as GET decides       | READ            | STARTED   | 30          | SECRET  | true
            a read within the timeout                    | READ            | STARTED   | 29          | SECRET  | false
            a read that finished                         | READ            | FINISHED  | 3600        | SECRET  | false
            a read that failed                           | READ            | FAILED    | 3600        | SECRET  | false
            a read already aborted                       | READ            | ABORTED   | 3600        | SECRET  | false
            a pipeline's statement, however old          | PIPELINE        | STARTED   | 3600        | SECRET  | false
            the tag further in, not leading              | LATE_TAG        | STARTED   | 3600        | SECRET  | false
            a forged tag (owner not 32 hex)              | FORGED          | STARTED   | 3600        | SECRET  | false
            no query string                              | null            | STARTED   | 3600        | SECRET  | false
            a tagged read run with another secret        | READ            | STARTED   | 3600        | OTHER   | false
            a tagged read run without the reader secret  | READ            | STARTED   | 3600        | null    | false
            """)
    void cancelsOnlyShiftworksOwnReadsStillRunningPastTheTimeout(String name, String sql, String status, long ago,
            String secret, boolean cancelled) {
        String text = switch (String.valueOf(sql)) {
            case "READ" -> READ;
            case "PIPELINE" -> "CALL etl.load_sales(); -- shiftwork/etl";
            case "LATE_TAG" -> "SELECT 1; " + READ;
            case "FORGED" -> "/* shiftwork-query owner=alice maxRows=1 */ SELECT 1";
            default -> null;
        };
        String arn = "SECRET".equals(secret) ? SECRET : "OTHER".equals(secret) ? SECRET + "-other" : null;
        List<ReadSweepPlanner.Cancel> plan = ReadSweepPlanner.plan(List.of(listed("q1", text, status, ago, arn)), NOW,
                TIMEOUT, Optional.of(SECRET));
        assertEquals(cancelled ? List.of(new ReadSweepPlanner.Cancel("q1", "bi-consumer-1", Duration.ofSeconds(ago)))
                : List.of(), plan, name);
    }

    @Test
    void withoutAReaderSecretTheTagAloneDecides() {
        // a provisioned consumer's reads run as shiftwork.queries.db-user, which ListStatements does not answer
        assertEquals(1, ReadSweepPlanner.plan(List.of(listed("q1", READ, "STARTED", 60, null)), NOW, TIMEOUT,
                Optional.empty()).size());
        assertEquals(0, ReadSweepPlanner.plan(List.of(listed("q1", "SELECT 1", "STARTED", 60, null)), NOW, TIMEOUT,
                Optional.empty()).size());
    }

    @Test
    void aReadListedUnderTwoStatusesIsCancelledOnceAndTheOldestComeFirst() {
        List<ReadSweepPlanner.Listed> listed = List.of(listed("young", READ, "STARTED", 40, SECRET),
                listed("old", READ, "SUBMITTED", 500, SECRET), listed("old", READ, "STARTED", 500, SECRET),
                listed("fresh", READ, "STARTED", 1, SECRET));
        assertEquals(List.of("old", "young"), ReadSweepPlanner.plan(listed, NOW, TIMEOUT, Optional.of(SECRET)).stream()
                .map(ReadSweepPlanner.Cancel::id).toList());
    }

    /** shiftwork.queries.* with this sweep-interval and timeout, every other key at its default. */
    private static QueriesConfig config(String sweepInterval, Duration timeout) {
        return (QueriesConfig) java.lang.reflect.Proxy.newProxyInstance(ReadSweepPlannerTest.class.getClassLoader(),
                new Class<?>[] {QueriesConfig.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "sweepInterval" -> sweepInterval;
                    case "timeout" -> timeout;
                    default -> null;
                });
    }

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {"0s", "-1s", "1 minute", "''", "null", "60x", "60"})
    void aSweepIntervalThatIsNoPositiveDurationStopsStartUpNamingTheKey(String interval) {
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> ReadSweep.check(config(interval, TIMEOUT)));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("shiftwork.queries.sweep-interval"), e.getMessage());
    }

    @Test
    void validSweepIntervalsAndANonPositiveTimeout() {
        for (String ok : List.of("60s", "5m", "500ms", "1h", "1000ms")) {
            ReadSweep.check(config(ok, TIMEOUT));
        }
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> ReadSweep.check(config("60s", Duration.ZERO)));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("shiftwork.queries.timeout"), e.getMessage());
    }

    @Test
    void nothingListedNothingCancelled() {
        assertEquals(List.of(), ReadSweepPlanner.plan(List.of(), NOW, TIMEOUT, Optional.of(SECRET)));
    }
}
