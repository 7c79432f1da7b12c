package io.shiftwork.pauseresume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.shiftwork.pauseresume.PauseLifecycle.Action;
import io.shiftwork.pauseresume.PauseLifecycle.Event;
import io.shiftwork.pauseresume.PauseLifecycle.State;
import io.shiftwork.pauseresume.PauseLifecycle.Step;

class PauseLifecycleTest {

    @ParameterizedTest(name = "{0} + {1} -> {2} {3}")
    @CsvSource(delimiter = '|', textBlock = """
            PLANNED  | DUE             | PAUSING  | REMEMBER_PAUSE PAUSE_CLUSTER
            PLANNED  | GUARD_FAILED    | DEFERRED | RECORD
            PLANNED  | TOO_LATE        | SKIPPED  | RECORD
            PLANNED  | HELD            | SKIPPED  | RECORD
            PLANNED  | RESUME_DUE      | PLANNED  |
            DEFERRED | DUE             | PAUSING  | REMEMBER_PAUSE PAUSE_CLUSTER
            DEFERRED | GUARD_FAILED    | DEFERRED |
            DEFERRED | TOO_LATE        | SKIPPED  | RECORD
            DEFERRED | HELD            | SKIPPED  | RECORD
            PAUSING  | PAUSE_ACCEPTED  | PAUSED   | RECORD
            PAUSING  | SEEN_PAUSED     | PAUSED   | RECORD
            PAUSING  | PAUSE_REFUSED   | DEFERRED | FORGET_PAUSE RECORD
            PAUSING  | SEEN_AVAILABLE  | DEFERRED | FORGET_PAUSE
            PAUSING  | PAUSE_FAILED    | FAILED   | FORGET_PAUSE RECORD ALERT
            PAUSING  | RESUME_DUE      | SKIPPED  | FORGET_PAUSE RECORD
            PAUSING  | DUE             | PAUSING  |
            PAUSED   | DUE             | PAUSED   |
            PAUSED   | GUARD_FAILED    | PAUSED   |
            PAUSED   | RESUME_DUE      | RESUMING | RESUME_CLUSTER
            PAUSED   | SEEN_AVAILABLE  | RESUMED  | FORGET_PAUSE RECORD
            PAUSED   | SEEN_PAUSED     | PAUSED   |
            RESUMING | RESUME_ACCEPTED | RESUMED  | FORGET_PAUSE RECORD
            RESUMING | SEEN_AVAILABLE  | RESUMED  | FORGET_PAUSE RECORD
            RESUMING | RESUME_DUE      | RESUMING | RESUME_CLUSTER
            RESUMING | RESUME_REFUSED  | RESUMING | COUNT_FAILURE
            RESUMING | RESUME_FAILED   | RESUMING | COUNT_FAILURE
            RESUMING | BUDGET_SPENT    | FAILED   | RECORD ALERT
            PAUSED   | NEEDED          | RESUMING | RESUME_CLUSTER
            PAUSED   | MAX_PAUSE_REACHED | RESUMING | RESUME_CLUSTER
            RESUMING | NEEDED          | RESUMING | RESUME_CLUSTER
            RESUMING | MAX_PAUSE_REACHED | RESUMING | RESUME_CLUSTER
            PAUSING  | NEEDED          | PAUSING  |
            PLANNED  | NEEDED          | PLANNED  |
            DEFERRED | NEEDED          | DEFERRED |
            RESUMED  | NEEDED          | RESUMED  |
            RESUMED  | RESUME_DUE      | RESUMED  |
            RESUMED  | DUE             | RESUMED  |
            SKIPPED  | DUE             | SKIPPED  |
            FAILED   | RESUME_DUE      | FAILED   |
            """)
    void eachStateAnswersEachEventAsTheTableSays(State from, Event event, State to, String actions) {
        Step step = PauseLifecycle.next(from, event);
        assertEquals(to, step.state());
        List<Action> expected = actions == null ? List.of() : Arrays.stream(actions.trim().split("\\s+")).map(Action::valueOf).toList();
        assertEquals(expected, step.actions());
    }

    @Test
    void theDurableRecordIsWrittenBeforeThePauseCallAndOnlyForgottenWhenTheClusterIsBackOrWasNeverPaused() {
        for (State s : State.values()) {
            for (Event e : Event.values()) {
                Step step = PauseLifecycle.next(s, e);
                List<Action> a = step.actions();
                if (a.contains(Action.PAUSE_CLUSTER)) {
                    assertTrue(a.indexOf(Action.REMEMBER_PAUSE) >= 0 && a.indexOf(Action.REMEMBER_PAUSE) < a.indexOf(Action.PAUSE_CLUSTER),
                            s + "+" + e);
                    assertEquals(State.PAUSING, step.state(), "the intent is written before the call");
                }
                if (a.contains(Action.RESUME_CLUSTER)) {
                    assertEquals(State.RESUMING, step.state(), "the intent is written before the call");
                }
                if (a.contains(Action.FORGET_PAUSE)) {
                    assertTrue(step.state() == State.RESUMED || s == State.PAUSING, s + "+" + e);
                }
            }
        }
    }

    @Test
    void aResumeRefusedTwiceThenAcceptedCallsResumeClusterOnceSuccessfully() {
        State s = State.PAUSED;
        int resumeCalls = 0;
        int accepted = 0;
        List<Event> outcomes = List.of(Event.RESUME_REFUSED, Event.RESUME_REFUSED, Event.RESUME_ACCEPTED);
        int tick = 0;
        Event event = Event.RESUME_DUE;
        while (s != State.RESUMED && tick < 10) {
            Step step = PauseLifecycle.next(s, event);
            s = step.state();
            if (step.actions().contains(Action.RESUME_CLUSTER)) {
                resumeCalls++;
                Event outcome = outcomes.get(resumeCalls - 1);
                accepted += outcome == Event.RESUME_ACCEPTED ? 1 : 0;
                s = PauseLifecycle.next(s, outcome).state();
            }
            event = Event.RESUME_DUE; // the next tick
            tick++;
        }
        assertEquals(State.RESUMED, s);
        assertEquals(3, resumeCalls);
        assertEquals(1, accepted);
        // later ticks (and a racing operator) call nothing more for this window
        assertEquals(List.of(), PauseLifecycle.next(s, Event.RESUME_DUE).actions());
    }

    @Test
    void everyWindowEndsResumedSkippedOrFailed() {
        for (State s : State.values()) {
            boolean terminal = s == State.RESUMED || s == State.SKIPPED || s == State.FAILED;
            for (Event e : Event.values()) {
                if (terminal) {
                    assertEquals(s, PauseLifecycle.next(s, e).state(), s + " is final");
                }
            }
        }
    }
}
