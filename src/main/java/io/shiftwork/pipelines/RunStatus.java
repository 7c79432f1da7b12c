package io.shiftwork.pipelines;

/** Life cycle of a run and of each of its steps. SKIPPED: a run that did not start (its pipeline runs one at a time). */
public enum RunStatus {
    RUNNING, WAITING, SUCCEEDED, FAILED, SKIPPED, CANCELLED, TIMED_OUT;

    public boolean terminal() {
        return this == SUCCEEDED || this == FAILED || this == SKIPPED || this == CANCELLED || this == TIMED_OUT;
    }
}
