package io.shiftwork.pipelines;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveSpecification;

/**
 * Runs in DynamoDB: one item per run holding the run as JSON plus the keys it is found by. Every write is
 * conditional on the version read, so replicas and concurrent completions never overwrite each other.
 */
@ApplicationScoped
public class RunStore {

    static final String BY_PIPELINE = "by-pipeline";

    private final DynamoDbClient dynamo;
    private final ObjectMapper json;
    private final RunsConfig config;
    // Runs this replica wrote last: updates start from them instead of reading first. Every write is still
    // conditional on the version, so a copy another replica made stale only costs a re-read.
    private final Map<String, Run> recent = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(1024, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Run> eldest) {
                    return size() > 10_000;
                }
            });

    public RunStore(DynamoDbClient dynamo, ObjectMapper json, RunsConfig config) {
        this.dynamo = dynamo;
        this.json = json;
        this.config = config;
    }

    /** Creates the runs table with its pipeline index and TTL; a table that exists already is left alone. */
    public void createTable() {
        try {
            dynamo.createTable(b -> b.tableName(config.table())
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(
                            AttributeDefinition.builder().attributeName("runId").attributeType(ScalarAttributeType.S).build(),
                            AttributeDefinition.builder().attributeName("pipeline").attributeType(ScalarAttributeType.S).build(),
                            AttributeDefinition.builder().attributeName("createdAtMs").attributeType(ScalarAttributeType.N).build())
                    .keySchema(KeySchemaElement.builder().attributeName("runId").keyType(KeyType.HASH).build())
                    .globalSecondaryIndexes(GlobalSecondaryIndex.builder().indexName(BY_PIPELINE)
                            .keySchema(
                                    KeySchemaElement.builder().attributeName("pipeline").keyType(KeyType.HASH).build(),
                                    KeySchemaElement.builder().attributeName("createdAtMs").keyType(KeyType.RANGE).build())
                            .projection(Projection.builder().projectionType(ProjectionType.ALL).build())
                            .build()));
            dynamo.waiter().waitUntilTableExists(b -> b.tableName(config.table()));
            dynamo.updateTimeToLive(b -> b.tableName(config.table()).timeToLiveSpecification(
                    TimeToLiveSpecification.builder().attributeName("expiresAt").enabled(true).build()));
        } catch (ResourceInUseException exists) {
            // another replica, or an earlier start, created it
        }
    }

    /** Reachability probe for readiness. */
    public String describeTable() {
        return dynamo.describeTable(b -> b.tableName(config.table())).table().tableStatusAsString();
    }

    public void create(Run run) {
        dynamo.putItem(b -> b.tableName(config.table()).item(toItem(run))
                .conditionExpression("attribute_not_exists(runId)"));
    }

    public Optional<Run> find(String runId) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(config.table())
                .key(Map.of("runId", AttributeValue.fromS(runId))).consistentRead(true)).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        Run run = fromItem(item);
        remember(run);
        return Optional.of(run);
    }

    /** The run as this replica last wrote or read it, else as stored. May be stale: for decisions, not answers. */
    public Optional<Run> current(String runId) {
        Run cached = recent.get(runId);
        return cached != null ? Optional.of(cached) : find(runId);
    }

    /** Keeps the newest version seen: two threads writing one run must not leave the older write cached. */
    private void remember(Run run) {
        recent.merge(run.runId(), run, (cached, seen) -> seen.version() >= cached.version() ? seen : cached);
    }

    /** Newest first. */
    public List<Run> listByPipeline(String pipeline, int limit) {
        QueryResponse page = dynamo.query(b -> b.tableName(config.table()).indexName(BY_PIPELINE)
                .keyConditionExpression("pipeline = :p")
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(pipeline)))
                .scanIndexForward(false)
                .limit(limit));
        List<Run> runs = new ArrayList<>();
        page.items().forEach(i -> runs.add(fromItem(i)));
        return runs;
    }

    /**
     * Applies a change to the stored run, retrying when another writer got there first. A change that returns
     * its input unchanged writes nothing.
     *
     * @return the run as stored afterwards, or empty if there is no such run
     */
    public Optional<Run> update(String runId, UnaryOperator<Run> change) {
        Run cached = recent.get(runId);
        boolean fresh = cached == null;
        Optional<Run> current = fresh ? find(runId) : Optional.of(cached);
        for (int attempt = 0; attempt < 20; attempt++) {
            if (current.isEmpty()) {
                return current;
            }
            Run before = current.get();
            Run after;
            try {
                after = change.apply(before);
            } catch (IllegalStateException onStaleCopy) {
                if (fresh) {
                    throw onStaleCopy;
                }
                // a change that cannot apply to the cached copy (a step another thread started) decides on what is stored
                current = find(runId);
                fresh = true;
                continue;
            }
            if (after == before || after.equals(before)) {
                if (fresh) {
                    return current;
                }
                // "nothing to do" decided on a cached copy: decide again on what is stored
                current = find(runId);
                fresh = true;
                continue;
            }
            Run stored = after.touched(Instant.now());
            try {
                dynamo.putItem(b -> b.tableName(config.table()).item(toItem(stored))
                        .conditionExpression("version = :v")
                        .expressionAttributeValues(Map.of(":v", AttributeValue.fromN(Long.toString(before.version())))));
                remember(stored);
                return Optional.of(stored);
            } catch (ConditionalCheckFailedException raced) {
                current = find(runId);
                fresh = true;
            }
        }
        throw new IllegalStateException("run " + runId + " kept changing under 20 attempts to update it");
    }

    private Map<String, AttributeValue> toItem(Run run) {
        Instant expiry = run.createdAt().plus(config.retention());
        try {
            return Map.of(
                    "runId", AttributeValue.fromS(run.runId()),
                    "pipeline", AttributeValue.fromS(run.pipeline()),
                    "createdAtMs", AttributeValue.fromN(Long.toString(run.createdAt().toEpochMilli())),
                    "status", AttributeValue.fromS(run.status().name()),
                    "version", AttributeValue.fromN(Long.toString(run.version())),
                    "expiresAt", AttributeValue.fromN(Long.toString(expiry.getEpochSecond())),
                    "doc", AttributeValue.fromS(json.writeValueAsString(run)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("run " + run.runId() + " cannot be written as JSON", e);
        }
    }

    private Run fromItem(Map<String, AttributeValue> item) {
        try {
            return json.readValue(item.get("doc").s(), Run.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored run " + item.get("runId") + " is not readable", e);
        }
    }
}
