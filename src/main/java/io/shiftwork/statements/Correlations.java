package io.shiftwork.statements;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

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
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveSpecification;

/**
 * Statement ↔ run correlations in DynamoDB, keyed by statement name. Every state change is a conditional
 * update, so each completion is applied once whoever (event consumer, poller, replica) sees it first.
 */
@ApplicationScoped
public class Correlations {

    /**
     * Sparse and sharded: only a correlation that is not terminal has {@code statusShard} ({@code <status>#<n>}, n
     * from its name's hash modulo {@code shiftwork.statements.index-shards}), so the index holds what recovery and the
     * poller look for and nothing else, spread over as many partition keys as there are shards.
     */
    static final String BY_STATUS = "by-status-shard";
    static final String STATUS_SHARD = "statusShard";
    private static final Map<String, String> NAMES = Map.of("#s", "status");
    private static final Map<String, String> SHARD_NAMES = Map.of("#s", "status", "#ss", STATUS_SHARD);

    private final DynamoDbClient dynamo;
    private final StatementsConfig config;

    private final java.util.concurrent.ExecutorService fanOut;

    public Correlations(DynamoDbClient dynamo, StatementsConfig config) {
        this.dynamo = dynamo;
        this.config = config;
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        this.fanOut = java.util.concurrent.Executors.newFixedThreadPool(Math.max(1, config.indexShards()), r -> {
            Thread t = new Thread(r, "status-index-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @jakarta.annotation.PreDestroy
    void stop() {
        fanOut.shutdownNow();
    }

    public void createTable() {
        try {
            dynamo.createTable(b -> b.tableName(config.table()).billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(
                            attribute("statementName", ScalarAttributeType.S),
                            attribute(STATUS_SHARD, ScalarAttributeType.S),
                            attribute("nextPollAt", ScalarAttributeType.N))
                    .keySchema(KeySchemaElement.builder().attributeName("statementName").keyType(KeyType.HASH).build())
                    .globalSecondaryIndexes(statusIndex()));
            dynamo.waiter().waitUntilTableExists(b -> b.tableName(config.table()));
            dynamo.updateTimeToLive(b -> b.tableName(config.table()).timeToLiveSpecification(
                    TimeToLiveSpecification.builder().attributeName("expiresAt").enabled(true).build()));
        } catch (ResourceInUseException exists) {
            // created before; by a version whose index was the whole table's status: add the sparse one
            boolean indexed = dynamo.describeTable(b -> b.tableName(config.table())).table().globalSecondaryIndexes()
                    .stream().anyMatch(i -> i.indexName().equals(BY_STATUS));
            if (!indexed) {
                GlobalSecondaryIndex index = statusIndex();
                dynamo.updateTable(b -> b.tableName(config.table())
                        .attributeDefinitions(attribute(STATUS_SHARD, ScalarAttributeType.S),
                                attribute("nextPollAt", ScalarAttributeType.N))
                        .globalSecondaryIndexUpdates(u -> u.create(c -> c.indexName(index.indexName())
                                .keySchema(index.keySchema()).projection(index.projection()))));
            }
        }
    }

    private static GlobalSecondaryIndex statusIndex() {
        return GlobalSecondaryIndex.builder().indexName(BY_STATUS)
                .keySchema(KeySchemaElement.builder().attributeName(STATUS_SHARD).keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName("nextPollAt").keyType(KeyType.RANGE).build())
                .projection(Projection.builder().projectionType(ProjectionType.ALL).build()).build();
    }

    /** The index key of a correlation in a status that is not terminal: {@code <status>#<shard>}. */
    public String statusShard(String statementName, String status) {
        return status + "#" + Math.floorMod(statementName.hashCode(), config.indexShards());
    }

    private static boolean terminal(String status) {
        return !(Correlation.SUBMITTING.equals(status) || Correlation.WAITING.equals(status)
                || Correlation.APPLYING.equals(status));
    }

    private static AttributeDefinition attribute(String name, ScalarAttributeType type) {
        return AttributeDefinition.builder().attributeName(name).attributeType(type).build();
    }

    /** Records a statement about to be submitted; false if it was recorded before (a retried step). */
    public boolean create(Correlation c) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("statementName", s(c.statementName()));
        item.put("runId", s(c.runId()));
        item.put("pipeline", s(c.pipeline()));
        item.put("step", s(c.step()));
        item.put("stepIndex", n(c.stepIndex()));
        item.put("status", s(c.status()));
        if (!terminal(c.status())) {
            item.put(STATUS_SHARD, s(statusShard(c.statementName(), c.status())));
        }
        item.put("submittedAt", n(c.submittedAtMs()));
        item.put("nextPollAt", n(c.nextPollAtMs()));
        item.put("polls", n(c.polls()));
        item.put("attempts", n(c.attempts()));
        if (c.deadlineMs() > 0) {
            item.put("deadline", n(c.deadlineMs()));
        }
        item.put("request", s(c.requestJson()));
        if (c.statementId() != null) {
            item.put("statementId", s(c.statementId()));
        }
        if (c.completion() != null) {
            item.put("finalState", s(c.completion().status()));
            item.put("resultRows", n(c.completion().rows()));
            item.put("completedAt", n(c.submittedAtMs()));
            item.put("errorText", s(c.completion().error() == null ? "" : c.completion().error()));
        }
        item.put("expiresAt", n(Instant.ofEpochMilli(c.submittedAtMs()).plus(config.retention()).getEpochSecond()));
        try {
            dynamo.putItem(b -> b.tableName(config.table()).item(item)
                    .conditionExpression("attribute_not_exists(statementName)"));
            return true;
        } catch (ConditionalCheckFailedException exists) {
            return false;
        }
    }

    /** Records the statement id once submitted; moves SUBMITTING → WAITING unless a completion came first. */
    public void submitted(String statementName, String statementId, long nextPollAtMs) {
        try {
            dynamo.updateItem(b -> b.tableName(config.table()).key(key(statementName))
                    .updateExpression("SET statementId = :id, #s = :w, #ss = :ws, nextPollAt = :p")
                    .conditionExpression("#s = :sub")
                    .expressionAttributeNames(SHARD_NAMES)
                    .expressionAttributeValues(Map.of(":id", s(statementId), ":w", s(Correlation.WAITING),
                            ":ws", s(statusShard(statementName, Correlation.WAITING)),
                            ":p", n(nextPollAtMs), ":sub", s(Correlation.SUBMITTING))));
        } catch (ConditionalCheckFailedException completedAlready) {
            dynamo.updateItem(b -> b.tableName(config.table()).key(key(statementName))
                    .updateExpression("SET statementId = :id")
                    .expressionAttributeValues(Map.of(":id", s(statementId))));
        }
    }

    /**
     * Claims a verified completion: a WAITING statement whose recorded id is the completed statement's becomes
     * APPLYING, holding the completion, until {@code deadlineMs}, when the poller applies it again if it is still
     * APPLYING (the claimant died). The conditional update lets one caller through, however many see the completion.
     *
     * @return the correlation as claimed, for the one caller that claimed it; empty for every duplicate
     */
    public Optional<Correlation> claim(String statementName, StatementState state, long deadlineMs) {
        if (state.statementId() == null) {
            return Optional.empty();
        }
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":a", s(Correlation.APPLYING));
        values.put(":as", s(statusShard(statementName, Correlation.APPLYING)));
        values.put(":t", s(state.status()));
        values.put(":rows", n(state.rows()));
        values.put(":at", n(System.currentTimeMillis()));
        values.put(":err", s(state.error() == null ? "" : state.error()));
        values.put(":d", n(deadlineMs));
        values.put(":w", s(Correlation.WAITING));
        values.put(":id", s(state.statementId()));
        try {
            return Optional.of(from(dynamo.updateItem(b -> b.tableName(config.table()).key(key(statementName))
                    .updateExpression("SET #s = :a, #ss = :as, finalState = :t, resultRows = :rows, completedAt = :at, "
                            + "errorText = :err, nextPollAt = :d")
                    .conditionExpression("#s = :w AND statementId = :id")
                    .expressionAttributeNames(SHARD_NAMES)
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_NEW)).attributes()));
        } catch (ConditionalCheckFailedException duplicate) {
            return Optional.empty(); // claimed or applied before, or not this statement
        }
    }

    /** A submit refused for good (or given up): SUBMITTING → FAILED with the error; nothing submits it again. */
    public void refused(String statementName, int attempts, String error) {
        try {
            dynamo.updateItem(b -> b.tableName(config.table()).key(key(statementName))
                    .updateExpression("SET #s = :f, finalState = :f, errorText = :e, attempts = :n, resultRows = :z, "
                            + "completedAt = :at REMOVE #ss")
                    .conditionExpression("#s = :sub")
                    .expressionAttributeNames(SHARD_NAMES)
                    .expressionAttributeValues(Map.of(":f", s(Correlation.FAILED), ":e", s(error == null ? "" : error),
                            ":n", n(attempts), ":z", n(0), ":at", n(System.currentTimeMillis()),
                            ":sub", s(Correlation.SUBMITTING))));
        } catch (ConditionalCheckFailedException moved) {
            // submitted or failed by another replica meanwhile
        }
    }

    /** A submit whose outcome is unknown: stays SUBMITTING with one more attempt, looked at again at {@code nextAtMs}. */
    public void retryLater(String statementName, int attempts, long nextAtMs, String error) {
        try {
            dynamo.updateItem(b -> b.tableName(config.table()).key(key(statementName))
                    .updateExpression("SET attempts = :n, nextPollAt = :p, errorText = :e")
                    .conditionExpression("#s = :sub")
                    .expressionAttributeNames(NAMES)
                    .expressionAttributeValues(Map.of(":n", n(attempts), ":p", n(nextAtMs), ":e", s(error == null ? "" : error),
                            ":sub", s(Correlation.SUBMITTING))));
        } catch (ConditionalCheckFailedException moved) {
            // submitted or failed meanwhile
        }
    }

    /**
     * Takes a due SUBMITTING statement for one recovery attempt: true for the one replica that moved its next look
     * from {@code nextPollAtMs} to {@code leaseUntilMs} (which also sends it behind every other due item).
     */
    public boolean lease(String statementName, long nextPollAtMs, long leaseUntilMs) {
        return moveNextLook(statementName, Correlation.SUBMITTING, nextPollAtMs, leaseUntilMs);
    }

    /**
     * Takes over a claim whose deadline passed (its claimant died or left it for later): true for the one poller
     * that moved the deadline from {@code deadlineMs} on.
     */
    public boolean reclaim(String statementName, long deadlineMs, long newDeadlineMs) {
        return moveNextLook(statementName, Correlation.APPLYING, deadlineMs, newDeadlineMs);
    }

    /** One conditional update: the item in {@code status} with its next look at {@code fromMs} moves to {@code toMs}. */
    private boolean moveNextLook(String statementName, String status, long fromMs, long toMs) {
        try {
            dynamo.updateItem(b -> b.tableName(config.table()).key(key(statementName))
                    .updateExpression("SET nextPollAt = :p")
                    .conditionExpression("#s = :st AND nextPollAt = :d")
                    .expressionAttributeNames(NAMES)
                    .expressionAttributeValues(Map.of(":p", n(toMs), ":st", s(status), ":d", n(fromMs))));
            return true;
        } catch (ConditionalCheckFailedException other) {
            return false;
        }
    }

    /** A claimed completion could not be applied yet (its step is not recorded): look again at {@code retryAtMs}. */
    public void retryAt(String statementName, long retryAtMs) {
        try {
            dynamo.updateItem(b -> b.tableName(config.table()).key(key(statementName))
                    .updateExpression("SET nextPollAt = :p")
                    .conditionExpression("#s = :a")
                    .expressionAttributeNames(NAMES)
                    .expressionAttributeValues(Map.of(":p", n(retryAtMs), ":a", s(Correlation.APPLYING))));
        } catch (ConditionalCheckFailedException applied) {
            // applied meanwhile
        }
    }

    /** The claimed completion is applied to its run: the statement ends in its final state. */
    public void applied(String statementName, String finalState) {
        try {
            dynamo.updateItem(b -> b.tableName(config.table()).key(key(statementName))
                    .updateExpression("SET #s = :t REMOVE #ss")
                    .conditionExpression("#s = :a")
                    .expressionAttributeNames(SHARD_NAMES)
                    .expressionAttributeValues(Map.of(":t", s(finalState), ":a", s(Correlation.APPLYING))));
        } catch (ConditionalCheckFailedException before) {
            // recorded by an earlier attempt
        }
    }

    public Optional<Correlation> find(String statementName) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(config.table()).key(key(statementName))
                .consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(from(item));
    }

    /**
     * Statements in the given state whose next poll is due, soonest first: one query per shard of the sparse index,
     * each at most {@code limit}, merged.
     */
    public List<Correlation> due(String status, long nowMs, int limit) {
        List<java.util.concurrent.CompletableFuture<List<Map<String, AttributeValue>>>> shards = new ArrayList<>();
        for (int shard = 0; shard < config.indexShards(); shard++) {
            String key = status + "#" + shard;
            // the shards at once: a look costs one query's latency, not one per shard
            shards.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> dynamo.query(b -> b.tableName(config.table())
                    .indexName(BY_STATUS)
                    .keyConditionExpression("#ss = :k AND nextPollAt <= :now")
                    .expressionAttributeNames(Map.of("#ss", STATUS_SHARD))
                    .expressionAttributeValues(Map.of(":k", s(key), ":now", n(nowMs)))
                    .limit(limit)).items(), fanOut));
        }
        List<Correlation> out = new ArrayList<>();
        for (var shard : shards) {
            try {
                shard.join().forEach(i -> out.add(from(i)));
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        out.sort(java.util.Comparator.comparingLong(Correlation::nextPollAtMs));
        return out.size() > limit ? new ArrayList<>(out.subList(0, limit)) : out;
    }

    /** Postpones the next poll of a statement still WAITING. */
    public void reschedule(String statementName, long nextPollAtMs, int polls) {
        try {
            dynamo.updateItem(b -> b.tableName(config.table()).key(key(statementName))
                    .updateExpression("SET nextPollAt = :p, polls = :n")
                    .conditionExpression("#s = :w")
                    .expressionAttributeNames(NAMES)
                    .expressionAttributeValues(Map.of(":p", n(nextPollAtMs), ":n", n(polls), ":w", s(Correlation.WAITING))));
        } catch (ConditionalCheckFailedException completed) {
            // completed meanwhile: nothing to postpone
        }
    }

    private static Correlation from(Map<String, AttributeValue> i) {
        return new Correlation(i.get("statementName").s(), i.get("runId").s(), i.get("pipeline").s(), i.get("step").s(),
                Integer.parseInt(i.get("stepIndex").n()), i.containsKey("statementId") ? i.get("statementId").s() : null,
                i.get("status").s(), Long.parseLong(i.get("submittedAt").n()), Long.parseLong(i.get("nextPollAt").n()),
                Integer.parseInt(i.get("polls").n()), i.containsKey("attempts") ? Integer.parseInt(i.get("attempts").n()) : 0,
                i.get("request").s(),
                i.containsKey("finalState") ? new StatementState(i.containsKey("statementId") ? i.get("statementId").s() : null,
                        i.get("finalState").s(), Long.parseLong(i.get("resultRows").n()),
                        i.get("errorText").s().isEmpty() ? null : i.get("errorText").s()) : null,
                i.containsKey("deadline") ? Long.parseLong(i.get("deadline").n()) : 0);
    }

    private static Map<String, AttributeValue> key(String statementName) {
        return Map.of("statementName", s(statementName));
    }

    private static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    private static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }
}
