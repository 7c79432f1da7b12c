package io.shiftwork.pipelines;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * {@code Idempotency-Key} of {@code POST /pipelines/{name}/runs}: the first request with a key claims it in
 * DynamoDB with a conditional put (so two replicas answering two retries at once agree) and names the run it
 * starts; a later request with the same key and body gets that run again, another body is refused. Keys expire
 * after {@code shiftwork.idempotency.retention} (24 h), by DynamoDB TTL and checked on read.
 */
@ApplicationScoped
public class IdempotencyKeys implements Bootstrap.Step {

    /** What a key is bound to: the hash of the request and the run it started. */
    public record Claim(String requestHash, String runId) {
    }

    private final DynamoDbClient dynamo;
    private final String table;
    private final Duration retention;

    public IdempotencyKeys(DynamoDbClient dynamo,
            @ConfigProperty(name = "shiftwork.idempotency.table", defaultValue = "shiftwork-idempotency") String table,
            @ConfigProperty(name = "shiftwork.idempotency.retention", defaultValue = "PT24H") Duration retention) {
        this.dynamo = dynamo;
        this.table = table;
        this.retention = RouteTimers.positive("shiftwork.idempotency.retention", retention);
    }

    @Override
    public void bootstrap() {
        DynamoTables.createIfAbsent(dynamo, table, "idempotencyKey", "expiresAt");
    }

    /** SHA-256 of the pipeline and its checked parameters: a retry of the same request hashes the same. */
    public static String hash(String pipeline, String canonicalParameters) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((pipeline + "\n" + canonicalParameters).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Binds the key to this request and run unless a live binding exists.
     *
     * @return empty when this caller claimed the key; else the existing binding
     */
    public Optional<Claim> claim(String key, String requestHash, String runId) {
        long now = Instant.now().getEpochSecond();
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                dynamo.putItem(b -> b.tableName(table)
                        .item(Map.of("idempotencyKey", AttributeValue.fromS(key),
                                "requestHash", AttributeValue.fromS(requestHash),
                                "runId", AttributeValue.fromS(runId),
                                "expiresAt", AttributeValue.fromN(Long.toString(now + retention.toSeconds()))))
                        .conditionExpression("attribute_not_exists(idempotencyKey) OR expiresAt < :now")
                        .expressionAttributeValues(Map.of(":now", AttributeValue.fromN(Long.toString(now)))));
                return Optional.empty();
            } catch (ConditionalCheckFailedException taken) {
                Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                        .key(Map.of("idempotencyKey", AttributeValue.fromS(key))).consistentRead(true)).item();
                if (item != null && !item.isEmpty()) {
                    return Optional.of(new Claim(item.get("requestHash").s(), item.get("runId").s()));
                }
                // forgotten meanwhile (the other request failed): try again
            }
        }
        throw new IllegalStateException("idempotency key " + key + " kept changing under 3 attempts to claim it");
    }

    /** Frees a key whose request failed before its run was stored, so a retry can start it. */
    public void forget(String key, String runId) {
        try {
            dynamo.deleteItem(b -> b.tableName(table).key(Map.of("idempotencyKey", AttributeValue.fromS(key)))
                    .conditionExpression("runId = :r")
                    .expressionAttributeValues(Map.of(":r", AttributeValue.fromS(runId))));
        } catch (ConditionalCheckFailedException notOurs) {
            // bound to another run since
        }
    }
}
