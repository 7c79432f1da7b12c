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
 * Conditional leases in DynamoDB: among replicas, the first to take a key does the work. A lease names its
 * unit of work (a schedule and a tick), so it is never released, only expired by TTL (checked on read, as
 * DynamoDB's TTL deletes late).
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
        long now = Instant.now().getEpochSecond();
        try {
            dynamo.putItem(b -> b.tableName(table)
                    .item(Map.of("lease", AttributeValue.fromS(key), "holder", AttributeValue.fromS(holder),
                            "expiresAt", AttributeValue.fromN(Long.toString(now + ttl.toSeconds()))))
                    .conditionExpression("attribute_not_exists(lease) OR expiresAt < :now")
                    .expressionAttributeValues(Map.of(":now", AttributeValue.fromN(Long.toString(now)))));
            return true;
        } catch (ConditionalCheckFailedException taken) {
            return false;
        }
    }
}
