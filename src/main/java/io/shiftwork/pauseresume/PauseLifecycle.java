package io.shiftwork.pauseresume;

import java.util.List;
import java.util.Map;

/**
 * The life cycle of one pause window as a pure transition function: {@code next(state, event)} gives the new
 * state and the actions the executor carries out, in order. The executor writes the new state (conditionally)
 * before it calls AWS, so an intent to pause or resume is durable before the call: a crash between the two is
 * found by the next tick, which observes the cluster and finishes the step without a second call.
 *
 * <pre>
 * PLANNED ─due──────────▶ PAUSING ─accepted / seen paused─▶ PAUSED ─resume due─▶ RESUMING ─accepted─▶ RESUMED
 *    │ └─guard failed─▶ DEFERRED (retried each tick)          │                     │ refused: retried each tick
 *    └─held / too late─▶ SKIPPED                              └─seen available──────┤ budget spent ─▶ FAILED (alert)
 * </pre>
 *
 * A paused window is also resumed early when a pipeline needs the cluster ({@code NEEDED}: a statement step aimed at
 * it) and, for an open-ended pause (no planned resume), when it reaches its maximum ({@code MAX_PAUSE_REACHED}).
 */
public final class PauseLifecycle {

    public enum State {
        PLANNED, DEFERRED, SKIPPED, PAUSING, PAUSED, RESUMING, RESUMED, FAILED;

        /** Shiftwork has paused, or is about to pause, the cluster for this window. */
        public boolean active() {
            return this == PAUSING || this == PAUSED || this == RESUMING;
        }

        public boolean waiting() {
            return this == PLANNED || this == DEFERRED;
        }
    }

    public enum Event {
        /** Inside the window, not held, every guard passed. */
        DUE,
        /** Inside the window, a guard failed, enough of the window is left to try again. */
        GUARD_FAILED,
        /** A guard failed with too little of the window left, or the window passed without a pause. */
        TOO_LATE,
        /** An operator's hold covers the window. */
        HELD,
        PAUSE_ACCEPTED,
        /** InvalidClusterStateFault or a transitional state: not paused, the window may try again. */
        PAUSE_REFUSED,
        /** Any other error: access denied, cluster not found, throttled past the SDK's retries. */
        PAUSE_FAILED,
        /** DescribeClusters shows pausing or paused. */
        SEEN_PAUSED,
        /** DescribeClusters shows available or resuming (someone, perhaps an earlier tick, resumed it). */
        SEEN_AVAILABLE,
        /** The planned resume time has come, or an operator asked for a resume. */
        RESUME_DUE,
        /** A pipeline step needs the cluster now (a statement aimed at it waits for the resume). */
        NEEDED,
        /** An open-ended pause (no planned resume) reached its maximum duration. */
        MAX_PAUSE_REACHED,
        RESUME_ACCEPTED,
        /** InvalidClusterStateFault (still pausing, modifying): retried at the next tick. */
        RESUME_REFUSED,
        RESUME_FAILED,
        /** Resuming has been refused or failing for longer than the transition budget. */
        BUDGET_SPENT
    }

    public enum Action {
        /** Write the durable record "Shiftwork paused this cluster" (before the call). */
        REMEMBER_PAUSE,
        PAUSE_CLUSTER,
        RESUME_CLUSTER,
        /** Delete the durable record: the cluster is Shiftwork's no more. */
        FORGET_PAUSE,
        /** Record the transition as a run. */
        RECORD,
        /** Publish to the support topic and count a failure. */
        ALERT,
        /** Count a failure (metric), without an alert. */
        COUNT_FAILURE
    }

    public record Step(State state, List<Action> actions) {
    }

    private static final Step SAME = null;

    private static final Map<State, Map<Event, Step>> TABLE = Map.of(
            State.PLANNED, Map.of(
                    Event.DUE, step(State.PAUSING, Action.REMEMBER_PAUSE, Action.PAUSE_CLUSTER),
                    Event.GUARD_FAILED, step(State.DEFERRED, Action.RECORD),
                    Event.TOO_LATE, step(State.SKIPPED, Action.RECORD),
                    Event.HELD, step(State.SKIPPED, Action.RECORD)),
            State.DEFERRED, Map.of(
                    Event.DUE, step(State.PAUSING, Action.REMEMBER_PAUSE, Action.PAUSE_CLUSTER),
                    Event.GUARD_FAILED, step(State.DEFERRED),
                    Event.TOO_LATE, step(State.SKIPPED, Action.RECORD),
                    Event.HELD, step(State.SKIPPED, Action.RECORD)),
            State.PAUSING, Map.of(
                    Event.PAUSE_ACCEPTED, step(State.PAUSED, Action.RECORD),
                    Event.SEEN_PAUSED, step(State.PAUSED, Action.RECORD),
                    Event.PAUSE_REFUSED, step(State.DEFERRED, Action.FORGET_PAUSE, Action.RECORD),
                    // a crash after the intent was written and before the call: nothing was paused
                    Event.SEEN_AVAILABLE, step(State.DEFERRED, Action.FORGET_PAUSE),
                    Event.PAUSE_FAILED, step(State.FAILED, Action.FORGET_PAUSE, Action.RECORD, Action.ALERT),
                    Event.RESUME_DUE, step(State.SKIPPED, Action.FORGET_PAUSE, Action.RECORD)),
            State.PAUSED, Map.of(
                    Event.RESUME_DUE, step(State.RESUMING, Action.RESUME_CLUSTER),
                    Event.NEEDED, step(State.RESUMING, Action.RESUME_CLUSTER),
                    Event.MAX_PAUSE_REACHED, step(State.RESUMING, Action.RESUME_CLUSTER),
                    Event.SEEN_AVAILABLE, step(State.RESUMED, Action.FORGET_PAUSE, Action.RECORD)),
            State.RESUMING, Map.of(
                    Event.RESUME_ACCEPTED, step(State.RESUMED, Action.FORGET_PAUSE, Action.RECORD),
                    Event.SEEN_AVAILABLE, step(State.RESUMED, Action.FORGET_PAUSE, Action.RECORD),
                    Event.RESUME_DUE, step(State.RESUMING, Action.RESUME_CLUSTER),
                    Event.NEEDED, step(State.RESUMING, Action.RESUME_CLUSTER),
                    Event.MAX_PAUSE_REACHED, step(State.RESUMING, Action.RESUME_CLUSTER),
                    Event.RESUME_REFUSED, step(State.RESUMING, Action.COUNT_FAILURE),
                    Event.RESUME_FAILED, step(State.RESUMING, Action.COUNT_FAILURE),
                    // the durable record stays: the reconcile rule keeps resuming the cluster every tick
                    Event.BUDGET_SPENT, step(State.FAILED, Action.RECORD, Action.ALERT)));

    private PauseLifecycle() {
    }

    private static Step step(State s, Action... actions) {
        return new Step(s, List.of(actions));
    }

    /** The new state and its actions; an event that does not apply to the state changes nothing. */
    public static Step next(State state, Event event) {
        Step s = TABLE.getOrDefault(state, Map.of()).get(event);
        return s == SAME ? new Step(state, List.of()) : s;
    }
}
