package io.shiftwork.snapshots;

import java.util.List;

/** The AWS side of one kind of target (provisioned cluster or serverless namespace). */
public interface SnapshotStore {

    List<SnapshotInfo> list(Schedule schedule);

    void create(Schedule schedule, SnapshotPlanner.Create create);

    void delete(Schedule schedule, String identifier);
}
