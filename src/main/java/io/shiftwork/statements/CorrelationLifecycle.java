package io.shiftwork.statements;

import java.util.List;

/**
 * The life cycle of a statement's correlation as a pure function {@link #next}: the state a correlation is in and
 * what happened give its next state and the actions the engine carries out (against DynamoDB, the Data API and
 * the run). SUBMITTING (recorded before ExecuteStatement) → WAITING (submitted, its statement id recorded) →
 * APPLYING (a verified completion claimed) → FINISHED | FAILED | ABORTED.
 *
 * <p>
 * Rules this table holds: a submit refused for good (ValidationException, ActiveStatementsExceeded, throttling
 * that outlived its retries) ends FAILED and is never submitted again; only a submit whose outcome is unknown
 * (timeout, connection error, 5xx) is tried again — with the same ClientToken, after a backoff, a bounded number of
 * times, and only while its run still waits; a completion is applied only when its statement id is the recorded one
 * and DescribeStatement says the statement ended.
 */
public final class CorrelationLifecycle {

    private CorrelationLifecycle() {
    }

    public enum Status {
        SUBMITTING, WAITING, APPLYING, FINISHED, FAILED, ABORTED;

        public boolean terminal() {
            return this == FINISHED || this == FAILED || this == ABORTED;
        }
    }

    public enum Action {
        /** ExecuteStatement (again), with the statement's ClientToken. */
        SUBMIT,
        /** Record the statement id; the step WAITING with it. */
        RECORD_STATEMENT_ID,
        /** Record the failure on the correlation (error text, no more attempts). */
        RECORD_FAILURE,
        /** Keep the correlation SUBMITTING with one more attempt counted, next look after a backoff. */
        RETRY_LATER,
        /** The step waits (without a statement id yet): the run is not failed, its outcome is unknown. */
        STEP_WAITING,
        /** Fail the run (its failure route and alert) with the error. */
        FAIL_RUN,
        /** Claim the completion (conditional update), then apply it to the run. */
        CLAIM_AND_APPLY,
        /** Apply a claimed completion again (its claimant died or left it for later). */
        APPLY_AGAIN,
        /** Look at the statement later (DescribeStatement by the poller). */
        POLL_LATER,
        /** CancelStatement: the step ran past its timeout. */
        CANCEL_STATEMENT,
        /** End the step and run TIMED_OUT (failure route, alert). */
        TIME_OUT_RUN,
        /** The message lies about the statement: dead-letter it. */
        REJECT,
        /** Nothing to do: a duplicate, or the run no longer waits. */
        IGNORE
    }

    /** What happened to a correlation. */
    public sealed interface Event {
    }

    /** ExecuteStatement answered with the statement's id. */
    public record Submitted(String statementId) implements Event {
    }

    /** ExecuteStatement refused the statement: it did not run and will not. */
    public record SubmitRefused(String error) implements Event {
    }

    /** ExecuteStatement's outcome is unknown (timeout, connection error, 5xx): it may or may not run. */
    public record SubmitOutcomeUnknown(String error) implements Event {
    }

    /** Recovery found the correlation due; {@code runWaits}: its run still waits for this step. */
    public record RetryDue(boolean runWaits) implements Event {
    }

    /**
     * A completion seen (event or poll): {@code statementId} the one it names, {@code describedStatus} what
     * DescribeStatement of the recorded statement says (null when not described).
     */
    public record CompletionSeen(String statementId, String describedStatus) implements Event {
    }

    /** The step's timeout passed while its statement still runs (a poll said it has not ended). */
    public record DeadlinePassed() implements Event {
    }

    /** A claim's deadline passed. */
    public record ClaimExpired() implements Event {
    }

    /** The claimed completion was applied to the run. */
    public record Applied(Status finalStatus) implements Event {
    }

    /** The correlation as {@link #next} sees it: its status, recorded statement id, failed submit attempts. */
    public record State(Status status, String statementId, int attempts) {
    }

    public record Transition(State state, List<Action> actions) {
    }

    /**
     * @param maxAttempts how many submits with an unknown outcome a statement gets before its run fails
     */
    public static Transition next(State s, Event event, int maxAttempts) {
        Status status = s.status();
        if (status.terminal()) {
            return stay(s, Action.IGNORE);
        }
        if (event instanceof Submitted e) {
            return status == Status.SUBMITTING
                    ? new Transition(new State(Status.WAITING, e.statementId(), s.attempts()), List.of(Action.RECORD_STATEMENT_ID))
                    : stay(s, Action.IGNORE);
        }
        if (event instanceof SubmitRefused) {
            return status == Status.SUBMITTING
                    ? new Transition(new State(Status.FAILED, null, s.attempts() + 1), List.of(Action.RECORD_FAILURE, Action.FAIL_RUN))
                    : stay(s, Action.IGNORE);
        }
        if (event instanceof SubmitOutcomeUnknown) {
            if (status != Status.SUBMITTING) {
                return stay(s, Action.IGNORE);
            }
            int attempts = s.attempts() + 1;
            return attempts >= maxAttempts
                    ? new Transition(new State(Status.FAILED, null, attempts), List.of(Action.RECORD_FAILURE, Action.FAIL_RUN))
                    : new Transition(new State(Status.SUBMITTING, null, attempts), List.of(Action.RETRY_LATER, Action.STEP_WAITING));
        }
        if (event instanceof RetryDue e) {
            if (status != Status.SUBMITTING) {
                return stay(s, Action.IGNORE);
            }
            return e.runWaits() ? stay(s, Action.SUBMIT)
                    // the run ended (failed, cancelled) meanwhile: nothing runs, nothing to announce
                    : new Transition(new State(Status.FAILED, null, s.attempts()), List.of(Action.RECORD_FAILURE));
        }
        if (event instanceof CompletionSeen e) {
            if (status != Status.WAITING || s.statementId() == null) {
                // claimed already, or not submitted yet as far as the record knows: the poller looks later
                return stay(s, status == Status.APPLYING ? Action.IGNORE : Action.POLL_LATER);
            }
            if (!s.statementId().equals(e.statementId())) {
                return stay(s, Action.REJECT);
            }
            Status described = e.describedStatus() == null ? null : parse(e.describedStatus());
            return described != null && described.terminal()
                    ? new Transition(new State(Status.APPLYING, s.statementId(), s.attempts()), List.of(Action.CLAIM_AND_APPLY))
                    : stay(s, Action.POLL_LATER);
        }
        if (event instanceof DeadlinePassed) {
            // the statement's ABORTED completion comes later and is applied, once, to a run that has ended
            return status == Status.WAITING ? stay(s, Action.CANCEL_STATEMENT, Action.TIME_OUT_RUN, Action.POLL_LATER)
                    : stay(s, Action.IGNORE);
        }
        if (event instanceof ClaimExpired) {
            return status == Status.APPLYING ? stay(s, Action.APPLY_AGAIN) : stay(s, Action.IGNORE);
        }
        if (event instanceof Applied e) {
            return status == Status.APPLYING && e.finalStatus().terminal()
                    ? new Transition(new State(e.finalStatus(), s.statementId(), s.attempts()), List.of())
                    : stay(s, Action.IGNORE);
        }
        throw new IllegalArgumentException("unknown event " + event);
    }

    private static Status parse(String dataApiStatus) {
        try {
            return Status.valueOf(dataApiStatus);
        } catch (IllegalArgumentException notOurs) {
            return null; // SUBMITTED, PICKED, STARTED, ALL, UNKNOWN_TO_SDK_VERSION: not an end
        }
    }

    private static Transition stay(State s, Action... actions) {
        return new Transition(s, List.of(actions));
    }
}
