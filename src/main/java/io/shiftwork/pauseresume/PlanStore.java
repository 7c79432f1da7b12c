package io.shiftwork.pauseresume;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Each cluster's plan in DynamoDB, so every replica executes the same plan. Writes are conditional on the version
 * read (optimistic locking): a write based on a stale read fails with {@link Conflict} instead of overwriting, say,
 * an operator's hold. Beside each plan, in the same table, the durable record of who paused the cluster
 * ({@code paused#<cluster>}): Shiftwork or someone else; no re-plan touches it.
 */
@ApplicationScoped
public class PlanStore {

    /** Who paused a cluster, since when, and for which window (Shiftwork's pauses only). */
    public record PauseRecord(String cluster, boolean byShiftwork, Instant since, Instant windowPauseAt) {
    }

    /** The plan changed since it was read. */
    public static class Conflict extends RuntimeException {
        public Conflict(String cluster) {
            super("the plan of " + cluster + " changed since it was read");
        }
    }

    private static final String PAUSED = "paused#";

    private final DynamoDbClient dynamo;
    private final ObjectMapper json;
    private final String table;

    public PlanStore(DynamoDbClient dynamo, ObjectMapper json, PauseResumeConfig config) {
        this.dynamo = dynamo;
        this.json = json;
        this.table = config.table();
    }

    public void createTable() {
        io.shiftwork.pipelines.DynamoTables.createIfAbsent(dynamo, table, "cluster", null);
    }

    /** Writes the plan if the stored one still has {@code plan.version()} (0: none stored); returns it at its new version. */
    public ClusterPlan put(ClusterPlan plan) {
        ClusterPlan next = plan.withVersion(plan.version() + 1);
        String doc;
        try {
            doc = json.writeValueAsString(next);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        try {
            dynamo.putItem(b -> b.tableName(table).item(Map.of("cluster", AttributeValue.fromS(plan.clusterId()),
                    "plan", AttributeValue.fromS(doc), "version", AttributeValue.fromN(Long.toString(next.version()))))
                    // version 0: no plan yet, or one written before plans had versions
                    .conditionExpression(plan.version() == 0 ? "attribute_not_exists(#v)" : "#v = :v")
                    .expressionAttributeNames(Map.of("#v", "version"))
                    .expressionAttributeValues(plan.version() == 0 ? null
                            : Map.of(":v", AttributeValue.fromN(Long.toString(plan.version())))));
        } catch (ConditionalCheckFailedException stale) {
            throw new Conflict(plan.clusterId());
        }
        return next;
    }

    /** Reads, changes and writes until the write is not stale: for changes that must not be lost (holds, outcomes). */
    public Optional<ClusterPlan> update(String cluster, UnaryOperator<ClusterPlan> change) {
        for (int attempt = 0; attempt < 10; attempt++) {
            Optional<ClusterPlan> read = get(cluster);
            if (read.isEmpty()) {
                return read;
            }
            ClusterPlan changed = change.apply(read.get());
            if (changed == read.get()) {
                return read;
            }
            try {
                return Optional.of(put(changed));
            } catch (Conflict again) {
                // someone wrote in between: read again
            }
        }
        throw new Conflict(cluster);
    }

    public Optional<ClusterPlan> get(String clusterId) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                .key(Map.of("cluster", AttributeValue.fromS(clusterId))).consistentRead(true)).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        try {
            ClusterPlan plan = json.readValue(item.get("plan").s(), ClusterPlan.class);
            return Optional.of(plan.withVersion(item.containsKey("version") ? Long.parseLong(item.get("version").n()) : 0));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored plan of " + clusterId + " is unreadable", e);
        }
    }

    public void rememberPause(PauseRecord r) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("cluster", AttributeValue.fromS(PAUSED + r.cluster()));
        item.put("by", AttributeValue.fromS(r.byShiftwork() ? "shiftwork" : "other"));
        item.put("since", AttributeValue.fromS(r.since().toString()));
        if (r.windowPauseAt() != null) {
            item.put("windowPauseAt", AttributeValue.fromS(r.windowPauseAt().toString()));
        }
        dynamo.putItem(b -> b.tableName(table).item(item));
    }

    /** Records a pause by someone else, unless a record exists (Shiftwork's, written just before its call); false then. */
    public boolean rememberForeignPause(String cluster, Instant seen) {
        try {
            dynamo.putItem(b -> b.tableName(table).item(Map.of("cluster", AttributeValue.fromS(PAUSED + cluster),
                    "by", AttributeValue.fromS("other"), "since", AttributeValue.fromS(seen.toString())))
                    .conditionExpression("attribute_not_exists(#c)").expressionAttributeNames(Map.of("#c", "cluster")));
            return true;
        } catch (ConditionalCheckFailedException exists) {
            return false;
        }
    }

    public void forgetPause(String cluster) {
        dynamo.deleteItem(b -> b.tableName(table).key(Map.of("cluster", AttributeValue.fromS(PAUSED + cluster))));
    }

    public Optional<PauseRecord> pauseOf(String cluster) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                .key(Map.of("cluster", AttributeValue.fromS(PAUSED + cluster))).consistentRead(true)).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new PauseRecord(cluster, "shiftwork".equals(item.get("by").s()), Instant.parse(item.get("since").s()),
                item.containsKey("windowPauseAt") ? Instant.parse(item.get("windowPauseAt").s()) : null));
    }
}
