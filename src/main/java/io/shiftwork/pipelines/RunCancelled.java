package io.shiftwork.pipelines;

/**
 * CDI event: a run was cancelled by request ({@code POST /runs/{id}/cancel}). {@code before} is the run as it was,
 * with the steps that were open, so the capability that started their work can stop it (a statement: CancelStatement).
 */
public record RunCancelled(Run before, Run after) {
}
