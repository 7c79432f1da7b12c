package io.shiftwork.pipelines;

/** Life cycle of a run and of each of its steps. */
public enum RunStatus {
    RUNNING, WAITING, SUCCEEDED, FAILED, CANCELLED, TIMED_OUT;

    public boolean terminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED || this == TIMED_OUT;
    }
}
