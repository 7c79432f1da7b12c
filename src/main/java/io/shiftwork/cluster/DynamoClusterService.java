package io.shiftwork.cluster;

import java.time.Clock;
import java.time.Duration;

import org.apache.camel.support.cluster.AbstractCamelClusterService;

/**
 * A Camel cluster service whose leadership is a lease in DynamoDB, so {@code master:} routes work wherever the
 * replicas run (ECS, EKS, plain hosts) with nothing but the table they already use.
 */
public class DynamoClusterService extends AbstractCamelClusterService<DynamoClusterView> {

    private final LeaseTable table;
    private final String me;
    private final Clock clock;
    private final Duration lease;
    private final Duration renew;
    private final boolean scheduled;

    public DynamoClusterService(LeaseTable table, String me, Clock clock, Duration lease, Duration renew, boolean scheduled) {
        super("dynamodb");
        this.table = table;
        this.me = me;
        this.clock = clock;
        this.lease = lease;
        this.renew = renew;
        this.scheduled = scheduled;
    }

    private final java.util.Map<String, DynamoClusterView> created = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    protected DynamoClusterView createView(String namespace) {
        return created.computeIfAbsent(namespace,
                ns -> new DynamoClusterView(this, ns, table, me, clock, lease, renew, scheduled));
    }

    /** The view of a namespace this replica takes part in (a {@code master:} route asked for it), if any. */
    public java.util.Optional<DynamoClusterView> view(String namespace) {
        return java.util.Optional.ofNullable(created.get(namespace));
    }

    public String memberId() {
        return me;
    }
}
