package io.shiftwork.pool;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A consumer's health as the pool sees it, from its SQL-level checks: a pure transition function
 * {@code next(status, event, thresholds) -> status + action}. {@code unhealthy} consecutive failed checks take a
 * healthy consumer out of the pool, {@code healthy} consecutive passed checks bring an unhealthy one back. A consumer
 * not checked yet ({@code UNKNOWN}, after a start or a change of leader) joins on its first passed check and is
 * kept out on its first failed one: the pool holds only consumers that answered SQL. A check that said nothing of the
 * consumer ({@code INCONCLUSIVE}: the Data API or the AWS side throttled, failed with a 5xx or timed out, as opposed to
 * the consumer answering the check with an error or not within the query timeout) moves nothing. And the pool fails
 * open as an NLB does ({@link #failOpen}): a plan that would leave the target group empty is not applied.
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
        PASSED, FAILED,
        /** The check said nothing of the consumer (Data API throttled, 5xx, unreachable): no transition. */
        INCONCLUSIVE
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
        if (event == Event.INCONCLUSIVE) {
            return new Transition(status, Action.NONE);
        }
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

    /**
     * Whether the pool fails open instead of applying its plan: consumers are configured, the target group holds
     * targets now, and after the plan's registers and deregisters it would hold none (every consumer out at once is
     * more likely the checks' fault than every consumer's). The current targets are then kept as they are.
     *
     * @param configured consumers configured
     * @param registeredNow targets the target group holds now
     * @param afterPlan targets it would hold once the plan is applied
     */
    public static boolean failOpen(int configured, int registeredNow, int afterPlan) {
        return configured > 0 && registeredNow > 0 && afterPlan == 0;
    }
}
