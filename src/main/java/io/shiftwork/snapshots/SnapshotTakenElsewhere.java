package io.shiftwork.snapshots;

/**
 * The snapshot a schedule was about to take exists already under the same identifier (the schedule's own
 * {@code <namespace>-<target>-<second>} name): another run of the same schedule took it in the same second, e.g.
 * an operator's run racing the tick. AWS answers ClusterSnapshotAlreadyExists (provisioned) or ConflictException
 * (Serverless); the schedule is satisfied, so the run reports it as taken by another run instead of failing.
 */
public class SnapshotTakenElsewhere extends RuntimeException {

    public SnapshotTakenElsewhere(String identifier, String awsError) {
        super(identifier + " exists already (" + awsError + ")");
    }
}
