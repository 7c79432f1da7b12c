package io.shiftwork.pipelines;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveSpecification;

/** Bootstrap of the simple tables: one string hash key, on-demand billing, optionally a TTL attribute. */
public final class DynamoTables {

    private DynamoTables() {
    }

    public static void createIfAbsent(DynamoDbClient dynamo, String table, String hashKey, String ttlAttribute) {
        try {
            dynamo.createTable(b -> b.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(AttributeDefinition.builder().attributeName(hashKey).attributeType(ScalarAttributeType.S).build())
                    .keySchema(KeySchemaElement.builder().attributeName(hashKey).keyType(KeyType.HASH).build()));
            dynamo.waiter().waitUntilTableExists(b -> b.tableName(table));
            if (ttlAttribute != null) {
                dynamo.updateTimeToLive(b -> b.tableName(table).timeToLiveSpecification(
                        TimeToLiveSpecification.builder().attributeName(ttlAttribute).enabled(true).build()));
            }
        } catch (ResourceInUseException exists) {
            // created before, by this replica or another
        }
    }
}
