package io.shiftwork.statements;

import static io.shiftwork.statements.CorrelationLifecycle.Action.APPLY_AGAIN;
import static io.shiftwork.statements.CorrelationLifecycle.Action.CANCEL_STATEMENT;
import static io.shiftwork.statements.CorrelationLifecycle.Action.TIME_OUT_RUN;
import static io.shiftwork.statements.CorrelationLifecycle.Action.CLAIM_AND_APPLY;
import static io.shiftwork.statements.CorrelationLifecycle.Action.FAIL_RUN;
import static io.shiftwork.statements.CorrelationLifecycle.Action.IGNORE;
import static io.shiftwork.statements.CorrelationLifecycle.Action.POLL_LATER;
import static io.shiftwork.statements.CorrelationLifecycle.Action.RECORD_FAILURE;
import static io.shiftwork.statements.CorrelationLifecycle.Action.RECORD_STATEMENT_ID;
import static io.shiftwork.statements.CorrelationLifecycle.Action.REJECT;
import static io.shiftwork.statements.CorrelationLifecycle.Action.RETRY_LATER;
import static io.shiftwork.statements.CorrelationLifecycle.Action.STEP_WAITING;
import static io.shiftwork.statements.CorrelationLifecycle.Action.SUBMIT;
import static io.shiftwork.statements.CorrelationLifecycle.Status.ABORTED;
import static io.shiftwork.statements.CorrelationLifecycle.Status.APPLYING;
import static io.shiftwork.statements.CorrelationLifecycle.Status.FAILED;
import static io.shiftwork.statements.CorrelationLifecycle.Status.FINISHED;
import static io.shiftwork.statements.CorrelationLifecycle.Status.SUBMITTING;
import static io.shiftwork.statements.CorrelationLifecycle.Status.WAITING;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.shiftwork.statements.CorrelationLifecycle.Action;
import io.shiftwork.statements.CorrelationLifecycle.Applied;
import io.shiftwork.statements.CorrelationLifecycle.ClaimExpired;
import io.shiftwork.statements.CorrelationLifecycle.CompletionSeen;
import io.shiftwork.statements.CorrelationLifecycle.DeadlinePassed;
import io.shiftwork.statements.CorrelationLifecycle.Event;
import io.shiftwork.statements.CorrelationLifecycle.RetryDue;
import io.shiftwork.statements.CorrelationLifecycle.State;
import io.shiftwork.statements.CorrelationLifecycle.Status;
import io.shiftwork.statements.CorrelationLifecycle.SubmitOutcomeUnknown;
import io.shiftwork.statements.CorrelationLifecycle.SubmitRefused;
import io.shiftwork.statements.CorrelationLifecycle.Submitted;

class CorrelationLifecycleTest {

    private static final int MAX = 3;
    private static final String ID = "5e4f0a9c-0000-0000-0000-000000000001";

    static Stream<Arguments> table() {
        return Stream.of(
                // state, attempts, recorded id | event | next state, attempts | actions
                row(SUBMITTING, 0, null, new Submitted(ID), WAITING, 0, RECORD_STATEMENT_ID),
                row(SUBMITTING, 0, null, new SubmitRefused("ValidationException"), FAILED, 1, RECORD_FAILURE, FAIL_RUN),
                row(SUBMITTING, 0, null, new SubmitOutcomeUnknown("503"), SUBMITTING, 1, RETRY_LATER, STEP_WAITING),
                row(SUBMITTING, 1, null, new SubmitOutcomeUnknown("timeout"), SUBMITTING, 2, RETRY_LATER, STEP_WAITING),
                row(SUBMITTING, 2, null, new SubmitOutcomeUnknown("timeout"), FAILED, 3, RECORD_FAILURE, FAIL_RUN),
                row(SUBMITTING, 1, null, new RetryDue(true), SUBMITTING, 1, SUBMIT),
                row(SUBMITTING, 1, null, new RetryDue(false), FAILED, 1, RECORD_FAILURE),
                row(SUBMITTING, 0, null, new CompletionSeen(ID, "FINISHED"), SUBMITTING, 0, POLL_LATER),
                // a failed submit is final: nothing submits it again, whatever comes later
                row(FAILED, 1, null, new RetryDue(true), FAILED, 1, IGNORE),
                row(FAILED, 1, null, new SubmitOutcomeUnknown("late"), FAILED, 1, IGNORE),
                row(FAILED, 1, null, new Submitted(ID), FAILED, 1, IGNORE),
                // completions: the recorded id, and the statement's own status, decide
                row(WAITING, 0, ID, new CompletionSeen(ID, "FINISHED"), APPLYING, 0, CLAIM_AND_APPLY),
                row(WAITING, 0, ID, new CompletionSeen(ID, "FAILED"), APPLYING, 0, CLAIM_AND_APPLY),
                row(WAITING, 0, ID, new CompletionSeen(ID, "ABORTED"), APPLYING, 0, CLAIM_AND_APPLY),
                row(WAITING, 0, ID, new CompletionSeen(ID, "STARTED"), WAITING, 0, POLL_LATER),
                row(WAITING, 0, ID, new CompletionSeen(ID, "UNKNOWN_TO_SDK_VERSION"), WAITING, 0, POLL_LATER),
                row(WAITING, 0, ID, new CompletionSeen("5e4f0a9c-9999-0000-0000-000000000000", "FINISHED"), WAITING, 0, REJECT),
                row(WAITING, 0, ID, new Submitted("other"), WAITING, 0, IGNORE),
                row(WAITING, 0, ID, new RetryDue(true), WAITING, 0, IGNORE),
                row(APPLYING, 0, ID, new CompletionSeen(ID, "FINISHED"), APPLYING, 0, IGNORE),
                row(APPLYING, 0, ID, new ClaimExpired(), APPLYING, 0, APPLY_AGAIN),
                row(WAITING, 0, ID, new DeadlinePassed(), WAITING, 0, CANCEL_STATEMENT, TIME_OUT_RUN, POLL_LATER),
                row(APPLYING, 0, ID, new DeadlinePassed(), APPLYING, 0, IGNORE),
                row(FINISHED, 0, ID, new DeadlinePassed(), FINISHED, 0, IGNORE),
                row(APPLYING, 0, ID, new Applied(FINISHED), FINISHED, 0),
                row(APPLYING, 0, ID, new Applied(ABORTED), ABORTED, 0),
                row(WAITING, 0, ID, new ClaimExpired(), WAITING, 0, IGNORE),
                row(FINISHED, 0, ID, new CompletionSeen(ID, "FINISHED"), FINISHED, 0, IGNORE),
                row(FINISHED, 0, ID, new ClaimExpired(), FINISHED, 0, IGNORE));
    }

    private static Arguments row(Status from, int attempts, String id, Event event, Status to, int attemptsAfter,
            Action... actions) {
        return Arguments.of(new State(from, id, attempts), event, to, attemptsAfter, List.of(actions));
    }

    @ParameterizedTest(name = "{0} + {1} -> {2} {4}")
    @MethodSource("table")
    void eachStateAndEventGiveTheNextStateAndTheActions(State from, Event event, Status to, int attempts, List<Action> actions) {
        CorrelationLifecycle.Transition t = CorrelationLifecycle.next(from, event, MAX);
        assertEquals(to, t.state().status());
        assertEquals(attempts, t.state().attempts());
        assertEquals(actions, t.actions());
    }
}
