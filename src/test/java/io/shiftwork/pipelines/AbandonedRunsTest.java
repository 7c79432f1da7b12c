package io.shiftwork.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** When a run counts as abandoned: pure, no AWS. */
class AbandonedRunsTest {

    private static final Instant T0 = Instant.parse("2026-12-01T03:00:00Z");
    private static final Duration AFTER = Duration.ofMinutes(15);

    private static Run run(RunStatus status, Instant updatedAt, Map<String, Object> context) {
        return new Run("r1", "etl-unload-notify", status, "http", StartedBy.service(Trigger.HTTP), Map.of(), T0.minusSeconds(3600),
                updatedAt, null, null, List.of(), context, 3);
    }

    @Test
    void aRunningRunSilentForLongerThanTheLimitIsAbandoned() {
        assertTrue(AbandonedRuns.abandoned(run(RunStatus.RUNNING, T0.minus(Duration.ofMinutes(16)), Map.of()), T0, AFTER));
        assertFalse(AbandonedRuns.abandoned(run(RunStatus.RUNNING, T0.minus(Duration.ofMinutes(14)), Map.of()), T0, AFTER));
    }

    @Test
    void aRecentHeartbeatKeepsAnOldRunAlive() {
        Run beating = run(RunStatus.RUNNING, T0.minus(Duration.ofHours(3)),
                Map.of(AbandonedRuns.HEARTBEAT, T0.minus(Duration.ofMinutes(1)).toString()));
        assertFalse(AbandonedRuns.abandoned(beating, T0, AFTER));
        assertEquals(T0.minus(Duration.ofMinutes(1)), AbandonedRuns.lastSign(beating));
    }

    @Test
    void anUnreadableHeartbeatIsNoSignOfLife() {
        Run garbled = run(RunStatus.RUNNING, T0.minus(Duration.ofHours(3)), Map.of(AbandonedRuns.HEARTBEAT, "yesterday"));
        assertTrue(AbandonedRuns.abandoned(garbled, T0, AFTER));
    }

    @Test
    void waitingAndEndedRunsAreNeverAbandoned() {
        // a WAITING run waits for a statement: the statement engine, its recovery and the step timeout own it
        for (RunStatus s : List.of(RunStatus.WAITING, RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.SKIPPED,
                RunStatus.CANCELLED, RunStatus.TIMED_OUT)) {
            assertFalse(AbandonedRuns.abandoned(run(s, T0.minus(Duration.ofDays(2)), Map.of()), T0, AFTER), s.name());
        }
    }
}
