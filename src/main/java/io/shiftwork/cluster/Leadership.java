package io.shiftwork.cluster;

import java.time.Clock;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

import org.apache.camel.cluster.CamelClusterService;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.arc.Unremovable;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Which replica acts: the cluster service behind the {@code master:} routes (planner, executor, snapshot and drill
 * ticks), and the fence a leader's tick passes before each action. A tick started as leader ({@link #run}) carries
 * the fencing token it started with; {@link #fence} before a PauseCluster, ResumeCluster or CreateClusterSnapshot
 * is a conditional write in DynamoDB that fails unless that token is still the stored one and unexpired. A leader
 * that stalled (GC, SIGSTOP, a frozen VM) past its lease and wakes up mid-tick therefore acts no more: another
 * replica has taken the lease with a greater token, or nobody holds it.
 */
@ApplicationScoped
@io.quarkus.runtime.Startup // bad shiftwork.cluster.* values stop start-up, naming the key
@Named("leadership")
public class Leadership {

    private static final Logger LOG = Logger.getLogger(Leadership.class);
    private static final ThreadLocal<Long> ACTING = new ThreadLocal<>();

    private final DynamoClusterService service;
    private final String namespace;

    public Leadership(ClusterConfig config, DynamoDbClient dynamo,
            @ConfigProperty(name = "shiftwork.leases.table", defaultValue = "shiftwork-leases") String table) {
        LeaseRules.problem(config.namespace(), config.leaseDuration(), config.renewInterval()).ifPresent(p -> {
            throw new IllegalArgumentException(p);
        });
        String me = config.memberId().filter(s -> !s.isBlank()).orElseGet(Leadership::defaultMemberId);
        this.namespace = config.namespace();
        this.service = new DynamoClusterService(new LeaseTable(dynamo, table), me, Clock.systemUTC(), config.leaseDuration(),
                config.renewInterval(), true);
    }

    static String defaultMemberId() {
        String host = Optional.ofNullable(System.getenv("HOSTNAME")).orElseGet(() -> {
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                return "replica";
            }
        });
        return host + "-" + ProcessHandle.current().pid() + "-" + Long.toHexString(Double.doubleToLongBits(Math.random())).substring(0, 6);
    }

    /** Camel's registry picks the cluster service up from here (Camel main adds every CamelClusterService bean). */
    @Produces
    @Singleton
    @Unremovable
    CamelClusterService clusterService() {
        return service;
    }

    public DynamoClusterService service() {
        return service;
    }

    /**
     * Runs a tick if this replica leads the namespace now, with the fencing token it leads with; skips it otherwise.
     * Where no {@code master:} route of the namespace runs (schedulers off, tests driving a tick directly) the work
     * runs unfenced.
     */
    public void run(String what, Runnable work) {
        Optional<DynamoClusterView> view = service.view(namespace);
        if (view.isEmpty()) {
            work.run();
            return;
        }
        long token = view.get().token();
        if (token == 0) {
            LOG.infof("%s skipped: %s does not lead %s", what, service.memberId(), namespace);
            return;
        }
        Long outer = ACTING.get();
        ACTING.set(token);
        try {
            work.run();
        } finally {
            if (outer == null) {
                ACTING.remove();
            } else {
                ACTING.set(outer);
            }
        }
    }

    /**
     * Before an action of a leader's tick: throws {@link NotLeader} unless the lease is still held with the token the
     * tick started with (a conditional write). Outside a leader's tick (an operator's request) it does nothing.
     */
    public void fence(String what) {
        Long token = ACTING.get();
        if (token == null) {
            return;
        }
        service.view(namespace).orElseThrow(() -> new NotLeader(namespace, service.memberId(), what, "it takes no part"))
                .fence(token, what);
    }

    public String namespace() {
        return namespace;
    }
}
