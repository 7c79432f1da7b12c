package io.shiftwork.pool;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A consumer's health as the pool sees it, from its SQL-level checks: a pure transition function
 * {@code next(status, event, thresholds) -> status + action}. {@code unhealthy} consecutive failed checks take a
 * healthy consumer out of the pool, {@code healthy} consecutive passed checks bring an unhealthy one back. A consumer
 * not checked yet ({@code UNKNOWN}, after a start or a change of leader) joins on its first passed check and is
 * kept out on its first failed one: the pool holds only consumers that answered SQL.
 */
public final class ConsumerHealth {

    private ConsumerHealth() {
    }

    public enum State {
        /** Not checked yet. */
        UNKNOWN,
        /** In the pool, its last check passed. */
        HEALTHY,
        /** Still in the pool: its last {@code streak} checks failed, fewer than the unhealthy threshold. */
        FAILING,
        /** Out of the pool. */
        UNHEALTHY,
        /** Still out of the pool: its last {@code streak} checks passed, fewer than the healthy threshold. */
        RECOVERING;

        /** Whether a consumer in this state belongs in the target group. */
        public boolean inPool() {
            return this == HEALTHY || this == FAILING;
        }
    }

    public enum Event {
        PASSED, FAILED
    }

    /** What the pool does about the transition. */
    public enum Action {
        NONE, REGISTER, DEREGISTER
    }

    /** @param streak consecutive failures (FAILING) or successes (RECOVERING); 0 otherwise */
    @RegisterForReflection
    public record Status(State state, int streak) {
        public static final Status UNKNOWN = new Status(State.UNKNOWN, 0);
    }

    public record Transition(Status status, Action action) {
    }

    /** Consecutive failed checks before a consumer leaves the pool, passed checks before it comes back (each ≥ 1). */
    public record Thresholds(int unhealthy, int healthy) {
        public Thresholds {
            if (unhealthy < 1 || healthy < 1) {
                throw new IllegalArgumentException("thresholds must be at least 1, got unhealthy " + unhealthy
                        + ", healthy " + healthy);
            }
        }
    }

    public static Transition next(Status status, Event event, Thresholds t) {
        boolean passed = event == Event.PASSED;
        return switch (status.state()) {
            case UNKNOWN -> passed ? to(State.HEALTHY, 0, Action.REGISTER) : to(State.UNHEALTHY, 0, Action.DEREGISTER);
            case HEALTHY -> passed ? to(State.HEALTHY, 0, Action.NONE) : failed(0, t);
            case FAILING -> passed ? to(State.HEALTHY, 0, Action.NONE) : failed(status.streak(), t);
            case UNHEALTHY -> passed ? passed(0, t) : to(State.UNHEALTHY, 0, Action.NONE);
            case RECOVERING -> passed ? passed(status.streak(), t) : to(State.UNHEALTHY, 0, Action.NONE);
        };
    }

    private static Transition failed(int before, Thresholds t) {
        int streak = before + 1;
        return streak >= t.unhealthy() ? to(State.UNHEALTHY, 0, Action.DEREGISTER) : to(State.FAILING, streak, Action.NONE);
    }

    private static Transition passed(int before, Thresholds t) {
        int streak = before + 1;
        return streak >= t.healthy() ? to(State.HEALTHY, 0, Action.REGISTER) : to(State.RECOVERING, streak, Action.NONE);
    }

    private static Transition to(State state, int streak, Action action) {
        return new Transition(new Status(state, streak), action);
    }
}
