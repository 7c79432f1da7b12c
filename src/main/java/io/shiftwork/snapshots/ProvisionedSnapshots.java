package io.shiftwork.snapshots;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;
import software.amazon.awssdk.services.redshift.RedshiftClient;
import software.amazon.awssdk.services.redshift.model.DescribeClusterSnapshotsResponse;
import software.amazon.awssdk.services.redshift.model.InvalidClusterStateException;
import software.amazon.awssdk.services.redshift.model.Snapshot;
import software.amazon.awssdk.services.redshift.model.Tag;

/** Provisioned cluster snapshots through the Redshift API, every page read (Marker), every call counted. */
@ApplicationScoped
public class ProvisionedSnapshots implements SnapshotStore {

    /** Statuses in which a cluster's data cannot change: a due manual snapshot waits instead of failing. */
    static final Set<String> PAUSED = Set.of("pausing", "paused", "resuming");

    private final RedshiftClient redshift;
    private final MeterRegistry metrics;
    private final SnapshotsConfig config;

    public ProvisionedSnapshots(RedshiftClient redshift, MeterRegistry metrics, SnapshotsConfig config) {
        this.redshift = redshift;
        this.metrics = metrics;
        this.config = config;
    }

    private void count(String operation) {
        metrics.counter("shiftwork.snapshots.aws.calls", "operation", operation).increment();
    }

    @Override
    public List<SnapshotInfo> list(Schedule schedule) {
        List<SnapshotInfo> out = new ArrayList<>();
        String marker = null;
        do {
            String m = marker;
            count("DescribeClusterSnapshots");
            DescribeClusterSnapshotsResponse page = redshift.describeClusterSnapshots(b -> b
                    .clusterIdentifier(schedule.target()).maxRecords(Math.max(20, config.pageSize())).marker(m));
            page.snapshots().forEach(s -> out.add(info(s)));
            marker = page.marker();
        } while (marker != null && !marker.isEmpty());
        return out;
    }

    private static SnapshotInfo info(Snapshot s) {
        Map<String, String> tags = new HashMap<>();
        s.tags().forEach(t -> tags.put(t.key(), t.value()));
        return new SnapshotInfo(s.snapshotIdentifier(), s.clusterIdentifier(), "manual".equalsIgnoreCase(s.snapshotType()),
                s.snapshotCreateTime(), s.status(), tags);
    }

    @Override
    public void create(Schedule schedule, SnapshotPlanner.Create create) {
        List<Tag> tags = create.tags().entrySet().stream()
                .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList();
        if (create.sourceAutomated().isPresent()) {
            count("CopyClusterSnapshot");
            Snapshot copy = redshift.copyClusterSnapshot(b -> b.sourceSnapshotIdentifier(create.sourceAutomated().get())
                    .sourceSnapshotClusterIdentifier(schedule.target()).targetSnapshotIdentifier(create.identifier()))
                    .snapshot();
            count("CreateTags");
            String arn = "arn:aws:redshift:" + schedule.region() + ":" + copy.ownerAccount() + ":snapshot:"
                    + schedule.target() + "/" + create.identifier();
            redshift.createTags(b -> b.resourceName(arn).tags(tags));
        } else {
            count("CreateClusterSnapshot");
            try {
                redshift.createClusterSnapshot(b -> b.snapshotIdentifier(create.identifier())
                        .clusterIdentifier(schedule.target()).tags(tags));
            } catch (software.amazon.awssdk.services.redshift.model.ClusterSnapshotAlreadyExistsException e) {
                throw new SnapshotTakenElsewhere(create.identifier(), "ClusterSnapshotAlreadyExists");
            } catch (InvalidClusterStateException e) {
                count("DescribeClusters");
                String status = redshift.describeClusters(b -> b.clusterIdentifier(schedule.target())).clusters().get(0)
                        .clusterStatus();
                if (PAUSED.contains(status)) {
                    throw new TargetNotAvailable("cluster " + schedule.target() + " is " + status
                            + ": no snapshot until it is available (its data does not change while paused)");
                }
                throw e;
            }
        }
    }

    /** Whether the schedule's cluster is paused or pausing (AWS refuses snapshots of it then). */
    public boolean paused(Schedule schedule) {
        count("DescribeClusters");
        String status = redshift.describeClusters(b -> b.clusterIdentifier(schedule.target())).clusters().get(0).clusterStatus();
        return "paused".equalsIgnoreCase(status) || "pausing".equalsIgnoreCase(status);
    }

    @Override
    public void delete(Schedule schedule, String identifier) {
        count("DeleteClusterSnapshot");
        try {
            redshift.deleteClusterSnapshot(b -> b.snapshotIdentifier(identifier).snapshotClusterIdentifier(schedule.target()));
        } catch (software.amazon.awssdk.services.redshift.model.ClusterSnapshotNotFoundException gone) {
            // another run of the schedule deleted it first: retention holds either way
        }
    }
}
