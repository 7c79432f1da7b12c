package io.shiftwork.snapshots;

/**
 * A due snapshot cannot be taken now because the target is paused (or pausing/resuming): AWS refuses
 * CreateClusterSnapshot unless the cluster is {@code available}, and a paused cluster's data does not change,
 * so the schedule waits for the next tick instead of failing every tick of a night's pause.
 */
public class TargetNotAvailable extends RuntimeException {

    public TargetNotAvailable(String message) {
        super(message);
    }
}
