package io.shiftwork.cluster;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.support.cluster.AbstractCamelClusterView;
import org.jboss.logging.Logger;

import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/**
 * One namespace's leadership: every renew interval the leader extends its lease and the others look for an expired
 * one ({@link LeaseRules}); a change of leader is a leadership event, which starts or stops the {@code master:}
 * routes' consumers. The local member counts as leader only until its own deadline, whatever the last event said.
 */
public class DynamoClusterView extends AbstractCamelClusterView {

    private static final Logger LOG = Logger.getLogger(DynamoClusterView.class);
    /** How long after its start a view takes a missing leases table for one the bootstrap has yet to create. */
    static final long STARTUP_MILLIS = 60_000;

    private final LeaseTable table;
    private final String me;
    private final Clock clock;
    private final Duration lease;
    private final Duration renew;
    private final boolean scheduled;
    private final CamelClusterMember local = new Member(null);
    private ScheduledExecutorService loop;
    /** Listeners (master consumers starting and stopping routes) run here, never holding up a renewal. */
    private java.util.concurrent.ExecutorService events;

    // written under the view's monitor, read by any thread
    private volatile long token;
    private volatile long renewedAt;
    private volatile String leader;
    private volatile boolean reached;
    private volatile long startedAt;
    private final java.util.concurrent.atomic.AtomicBoolean retryPending = new java.util.concurrent.atomic.AtomicBoolean();

    /** {@code scheduled} false: no background loop, a test calls {@link #round()} itself. */
    DynamoClusterView(CamelClusterService service, String namespace, LeaseTable table, String me, Clock clock, Duration lease,
            Duration renew, boolean scheduled) {
        super(service, namespace);
        this.table = table;
        this.me = me;
        this.clock = clock;
        this.lease = lease;
        this.renew = renew;
        this.scheduled = scheduled;
    }

    @Override
    protected void doStart() {
        events = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "shiftwork-leadership-events-" + getNamespace());
            t.setDaemon(true);
            return t;
        });
        startedAt = clock.millis();
        if (scheduled) {
            loop = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "shiftwork-leadership-" + getNamespace());
                t.setDaemon(true);
                return t;
            });
            loop.scheduleWithFixedDelay(this::round, 0, renew.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    protected void doStop() {
        if (loop != null) {
            loop.shutdownNow();
            loop = null;
        }
        synchronized (this) {
            long t = token;
            if (t > 0) {
                token = 0;
                leader = null;
                try {
                    table.release(getNamespace(), me, t);
                    LOG.infof("leadership of %s released by %s (token %d)", getNamespace(), me, t);
                } catch (RuntimeException e) {
                    LOG.warnf("could not release the lease of %s, it expires by itself: %s", getNamespace(), e.getMessage());
                }
                announce(null);
            }
        }
        if (events != null) {
            events.shutdown();
        }
    }

    /** Tells the listeners, in order, on the events thread; each listener reads the live state when it runs. */
    private void announce(CamelClusterMember leader) {
        java.util.concurrent.ExecutorService e = events;
        if (e == null || e.isShutdown()) {
            fireLeadershipChangedEvent(leader);
            return;
        }
        e.execute(() -> {
            try {
                fireLeadershipChangedEvent(leader);
            } catch (RuntimeException failed) {
                LOG.warnf(failed, "a leadership listener of %s failed", getNamespace());
            }
        });
    }

    /** One look at the lease: renew it, take it, or follow its holder. */
    synchronized void round() {
        long start = clock.millis();
        try {
            if (token > 0 && !leads(start)) {
                lose("its lease ran out before it could renew it (a stall or lost connectivity)");
            }
            Optional<Lease> stored = table.read(getNamespace());
            reached = true;
            LeaseRules.Decision d = LeaseRules.decide(stored.orElse(null), me, token, start);
            switch (d.kind()) {
                case RENEW -> {
                    if (table.renew(getNamespace(), me, token, start + lease.toMillis())) {
                        renewedAt = start;
                    } else {
                        lose("its lease was taken meanwhile");
                    }
                }
                case ACQUIRE -> {
                    if (token > 0) {
                        lose("another replica's lease is stored");
                    }
                    if (table.acquire(getNamespace(), me, d.token(), start + lease.toMillis(), stored.orElse(null))) {
                        token = d.token();
                        renewedAt = start;
                        leader = me;
                        LOG.infof("leadership of %s taken by %s (fencing token %d)", getNamespace(), me, d.token());
                        announce(local);
                    }
                }
                case FOLLOW -> {
                    if (token > 0) {
                        lose(d.leader() + " holds the lease now");
                    }
                    if (!d.leader().equals(leader)) {
                        leader = d.leader();
                        LOG.infof("%s follows %s as leader of %s", me, d.leader(), getNamespace());
                        announce(new Member(d.leader()));
                    }
                }
            }
        } catch (RuntimeException e) {
            // DynamoDB unreachable or throttled: a leader keeps leading until its own deadline, then stops
            boolean startingUp = !reached && clock.millis() - startedAt < STARTUP_MILLIS;
            if (startingUp && e instanceof ResourceNotFoundException) {
                // Camel starts the master: routes (and this view, whose first round runs at once) while Quarkus starts,
                // before the StartupEvent on which the bootstrap creates the leases table (dev, test): not yet, not a
                // failure. A table still missing after the start-up minute (nothing created it) is a WARN below.
                LOG.debugf("leadership round of %s: no leases table yet (start-up, before the bootstrap): %s", getNamespace(),
                        e.getMessage());
            } else {
                LOG.warnf("leadership round of %s failed: %s", getNamespace(), e.getMessage());
            }
            ScheduledExecutorService l = loop;
            if (startingUp && l != null && !l.isShutdown() && retryPending.compareAndSet(false, true)) {
                // at start-up, before the bootstrap has created the leases table: look again soon, not a whole interval later
                l.schedule(() -> {
                    retryPending.set(false);
                    round();
                }, Math.min(1000, renew.toMillis()), TimeUnit.MILLISECONDS);
            }
            if (token > 0 && !leads(clock.millis())) {
                lose("its lease ran out while DynamoDB could not be reached");
            }
        }
    }

    private void lose(String why) {
        LOG.warnf("leadership of %s lost by %s (token %d): %s", getNamespace(), me, token, why);
        token = 0;
        leader = null;
        announce(null);
    }

    boolean leads(long now) {
        return LeaseRules.leads(token, renewedAt, lease, now);
    }

    /** The token this replica leads with, 0 when it does not lead (by its own clock) now. */
    public long token() {
        long t = token;
        return leads(clock.millis()) && t == token ? t : 0;
    }

    /**
     * Throws {@link NotLeader} unless this replica still holds the lease with {@code expected} (0: whatever token it
     * leads with now), checked with a conditional write in DynamoDB.
     */
    public void fence(long expected, String what) {
        long now = clock.millis();
        long t = token;
        if (!leads(now) || (expected > 0 && t != expected)) {
            throw new NotLeader(getNamespace(), me, what, "its lease " + (expected > 0 && t != expected
                    ? "changed since the action was decided (token " + expected + ", now " + t + ")" : "is not held or ran out"));
        }
        if (!table.fence(getNamespace(), me, t, now, what)) {
            synchronized (this) {
                if (token == t) {
                    lose("the fence before '" + what + "' found its lease taken or expired");
                }
            }
            throw new NotLeader(getNamespace(), me, what, "the stored lease is no longer its own with token " + t);
        }
    }

    String memberId() {
        return me;
    }

    @Override
    public Optional<CamelClusterMember> getLeader() {
        if (token() > 0) {
            return Optional.of(local);
        }
        String l = leader;
        return l == null || l.equals(me) ? Optional.empty() : Optional.of(new Member(l));
    }

    @Override
    public CamelClusterMember getLocalMember() {
        return local;
    }

    @Override
    public List<CamelClusterMember> getMembers() {
        List<CamelClusterMember> members = new ArrayList<>();
        members.add(local);
        getLeader().filter(m -> !m.isLocal()).ifPresent(members::add);
        return members;
    }

    private final class Member implements CamelClusterMember {
        private final String id;

        Member(String id) {
            this.id = id;
        }

        @Override
        public boolean isLeader() {
            return id == null ? token() > 0 : id.equals(leader) && token() == 0;
        }

        @Override
        public boolean isLocal() {
            return id == null;
        }

        @Override
        public String getId() {
            return id == null ? me : id;
        }
    }
}
