package io.shiftwork.pipelines;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveSpecification;

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
        try {
            dynamo.createTable(b -> b.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(AttributeDefinition.builder().attributeName("lease").attributeType(ScalarAttributeType.S).build())
                    .keySchema(KeySchemaElement.builder().attributeName("lease").keyType(KeyType.HASH).build()));
            dynamo.waiter().waitUntilTableExists(b -> b.tableName(table));
            dynamo.updateTimeToLive(b -> b.tableName(table).timeToLiveSpecification(
                    TimeToLiveSpecification.builder().attributeName("expiresAt").enabled(true).build()));
        } catch (ResourceInUseException exists) {
            // created before
        }
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
