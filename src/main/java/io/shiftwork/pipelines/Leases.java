package io.shiftwork.pipelines;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Conditional leases in DynamoDB: among replicas, the first to take a key does the work. A lease that names its
 * unit of work (a schedule and a tick) is never released, only expired by TTL (checked on read, as DynamoDB's
 * TTL deletes late); a lock (a pipeline that runs one at a time) is released by its holder and expires in case
 * the holder dies.
 */
@ApplicationScoped
public class Leases {

    private final DynamoDbClient dynamo;
    private final String table;

    public Leases(DynamoDbClient dynamo, @ConfigProperty(name = "shiftwork.leases.table", defaultValue = "shiftwork-leases") String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    public void createTable() {
        DynamoTables.createIfAbsent(dynamo, table, "lease", "expiresAt");
    }

    /** True for the one caller that takes the key before it expires. */
    public boolean acquire(String key, String holder, Duration ttl) {
        return put(key, holder, ttl, "attribute_not_exists(lease) OR expiresAt < :v",
                AttributeValue.fromN(Long.toString(Instant.now().getEpochSecond())));
    }

    /** The holder of a lease that has not expired. */
    public java.util.Optional<String> holder(String key) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                .key(Map.of("lease", AttributeValue.fromS(key))).consistentRead(true)).item();
        if (item == null || item.isEmpty()
                || Long.parseLong(item.get("expiresAt").n()) < Instant.now().getEpochSecond()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(item.get("holder").s());
    }

    /** Takes a lease from a holder known to be done (its run finished but the release was lost); false if raced. */
    public boolean takeOver(String key, String from, String holder, Duration ttl) {
        return put(key, holder, ttl, "holder = :v", AttributeValue.fromS(from));
    }

    private boolean put(String key, String holder, Duration ttl, String condition, AttributeValue v) {
        long now = Instant.now().getEpochSecond();
        try {
            dynamo.putItem(b -> b.tableName(table)
                    .item(Map.of("lease", AttributeValue.fromS(key), "holder", AttributeValue.fromS(holder),
                            "expiresAt", AttributeValue.fromN(Long.toString(now + ttl.toSeconds()))))
                    .conditionExpression(condition)
                    .expressionAttributeValues(Map.of(":v", v)));
            return true;
        } catch (ConditionalCheckFailedException taken) {
            return false;
        }
    }

    /** Releases a lease if this holder still has it. */
    public void release(String key, String holder) {
        try {
            dynamo.deleteItem(b -> b.tableName(table).key(Map.of("lease", AttributeValue.fromS(key)))
                    .conditionExpression("holder = :h")
                    .expressionAttributeValues(Map.of(":h", AttributeValue.fromS(holder))));
        } catch (ConditionalCheckFailedException notHeld) {
            // expired and taken by another run, or released before
        }
    }
}
