package io.shiftwork.snapshots;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;
import software.amazon.awssdk.services.redshiftserverless.RedshiftServerlessClient;
import software.amazon.awssdk.services.redshiftserverless.model.ListSnapshotsResponse;
import software.amazon.awssdk.services.redshiftserverless.model.Tag;

/**
 * Redshift Serverless namespace snapshots, same semantics as provisioned ones. Serverless has no automated
 * snapshots to copy (its recovery points are another thing), so a due schedule always creates one.
 */
@ApplicationScoped
public class ServerlessSnapshots implements SnapshotStore {

    private final RedshiftServerlessClient serverless;
    private final MeterRegistry metrics;
    private final SnapshotsConfig config;

    public ServerlessSnapshots(RedshiftServerlessClient serverless, MeterRegistry metrics, SnapshotsConfig config) {
        this.serverless = serverless;
        this.metrics = metrics;
        this.config = config;
    }

    private void count(String operation) {
        metrics.counter("shiftwork.snapshots.aws.calls", "operation", operation).increment();
    }

    @Override
    public List<SnapshotInfo> list(Schedule schedule) {
        List<SnapshotInfo> out = new ArrayList<>();
        String token = null;
        do {
            String t = token;
            count("ListSnapshots");
            ListSnapshotsResponse page = serverless.listSnapshots(b -> b.namespaceName(schedule.target())
                    .maxResults(config.pageSize()).nextToken(t));
            for (var s : page.snapshots()) {
                count("ListTagsForResource");
                Map<String, String> tags = new HashMap<>();
                serverless.listTagsForResource(b -> b.resourceArn(s.snapshotArn())).tags()
                        .forEach(tag -> tags.put(tag.key(), tag.value()));
                out.add(new SnapshotInfo(s.snapshotName(), s.namespaceName(), true, s.snapshotCreateTime(),
                        s.statusAsString(), tags));
            }
            token = page.nextToken();
        } while (token != null);
        return out;
    }

    @Override
    public void create(Schedule schedule, SnapshotPlanner.Create create) {
        count("CreateSnapshot");
        List<Tag> tags = create.tags().entrySet().stream()
                .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList();
        try {
            serverless.createSnapshot(b -> b.namespaceName(schedule.target()).snapshotName(create.identifier()).tags(tags));
        } catch (software.amazon.awssdk.services.redshiftserverless.model.ConflictException e) {
            if (e.getMessage() == null || !e.getMessage().contains("already exists")) {
                throw e;
            }
            throw new SnapshotTakenElsewhere(create.identifier(), "ConflictException");
        }
    }

    @Override
    public void delete(Schedule schedule, String identifier) {
        count("DeleteSnapshot");
        try {
            serverless.deleteSnapshot(b -> b.snapshotName(identifier));
        } catch (software.amazon.awssdk.services.redshiftserverless.model.ResourceNotFoundException gone) {
            // another run of the schedule deleted it first: retention holds either way
        }
    }
}
