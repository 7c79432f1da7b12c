package io.shiftwork.cluster;

import java.util.Map;
import java.util.Optional;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Leadership leases in the leases table ({@code shiftwork.leases.table}), one item per namespace under the key
 * {@code cluster/<namespace>}: every change is a conditional write, so of two replicas racing for an expired lease
 * exactly one wins, and a write by a replica whose token is no longer the stored one fails. The items carry no TTL
 * attribute: DynamoDB's TTL would delete them and let the fencing token start again at 1.
 */
public class LeaseTable {

    private static final Map<String, String> NAMES = Map.of("#h", "holder", "#t", "token", "#u", "leaseUntil");

    private final DynamoDbClient dynamo;
    private final String table;

    public LeaseTable(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    static String key(String namespace) {
        return "cluster/" + namespace;
    }

    public Optional<Lease> read(String namespace) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(id(namespace)).consistentRead(true)).item();
        if (item == null || item.isEmpty() || !item.containsKey("token")) {
            return Optional.empty();
        }
        return Optional.of(new Lease(item.get("holder").s(), Long.parseLong(item.get("token").n()),
                Long.parseLong(item.get("leaseUntil").n())));
    }

    /** Takes the lease with {@code token} if it is still {@code seen} (null: there was none); false if raced. */
    public boolean acquire(String namespace, String me, long token, long until, Lease seen) {
        try {
            dynamo.putItem(b -> {
                b.tableName(table).item(Map.of("lease", AttributeValue.fromS(key(namespace)), "holder", AttributeValue.fromS(me),
                        "token", n(token), "leaseUntil", n(until)));
                if (seen == null) {
                    b.conditionExpression("attribute_not_exists(lease)");
                } else {
                    b.conditionExpression("#h = :h AND #t = :t AND #u = :u").expressionAttributeNames(NAMES)
                            .expressionAttributeValues(Map.of(":h", AttributeValue.fromS(seen.holder()), ":t", n(seen.token()),
                                    ":u", n(seen.until())));
                }
            });
            return true;
        } catch (ConditionalCheckFailedException raced) {
            return false;
        }
    }

    /** Extends the lease while {@code me} holds it with {@code token}; false when it does not any more. */
    public boolean renew(String namespace, String me, long token, long until) {
        return update(namespace, "SET #u = :until", "#h = :me AND #t = :t", me, token, Map.of(":until", n(until)));
    }

    /**
     * The fence before an action: a conditional write that succeeds only while {@code me} holds the lease with
     * {@code token} and it has not expired at {@code now}.
     */
    public boolean fence(String namespace, String me, long token, long now, String what) {
        return update(namespace, "SET fencedAt = :now, fencedFor = :what", "#h = :me AND #t = :t AND #u > :now", me, token,
                Map.of(":now", n(now), ":what", AttributeValue.fromS(what.length() > 200 ? what.substring(0, 200) : what)));
    }

    /** Ends the lease now (a replica shutting down), keeping its token so the next one is greater. */
    public boolean release(String namespace, String me, long token) {
        return update(namespace, "SET #u = :zero", "#h = :me AND #t = :t", me, token, Map.of(":zero", n(0)));
    }

    private boolean update(String namespace, String set, String condition, String me, long token,
            Map<String, AttributeValue> values) {
        Map<String, AttributeValue> all = new java.util.HashMap<>(values);
        all.put(":me", AttributeValue.fromS(me));
        all.put(":t", n(token));
        Map<String, String> names = new java.util.HashMap<>();
        NAMES.forEach((k, v) -> {
            if (set.contains(k) || condition.contains(k)) {
                names.put(k, v);
            }
        });
        try {
            dynamo.updateItem(b -> b.tableName(table).key(id(namespace)).updateExpression(set).conditionExpression(condition)
                    .expressionAttributeNames(names).expressionAttributeValues(all));
            return true;
        } catch (ConditionalCheckFailedException notHeld) {
            return false;
        }
    }

    private static Map<String, AttributeValue> id(String namespace) {
        return Map.of("lease", AttributeValue.fromS(key(namespace)));
    }

    private static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }
}
