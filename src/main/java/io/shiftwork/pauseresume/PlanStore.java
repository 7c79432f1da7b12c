package io.shiftwork.pauseresume;

import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Each cluster's plan in DynamoDB, so every replica executes the same plan. */
@ApplicationScoped
public class PlanStore {

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

    public void put(ClusterPlan plan) {
        String doc;
        try {
            doc = json.writeValueAsString(plan);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        dynamo.putItem(b -> b.tableName(table).item(Map.of("cluster", AttributeValue.fromS(plan.clusterId()),
                "plan", AttributeValue.fromS(doc))));
    }

    public Optional<ClusterPlan> get(String clusterId) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                .key(Map.of("cluster", AttributeValue.fromS(clusterId))).consistentRead(true)).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readValue(item.get("plan").s(), ClusterPlan.class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored plan of " + clusterId + " is unreadable", e);
        }
    }
}
