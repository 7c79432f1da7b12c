package io.shiftwork.cluster;

import java.time.Duration;
import java.util.Optional;

/**
 * The pure part of leadership: what a replica does with the lease it reads, and which settings make sense. Time is
 * epoch milliseconds from the replica's clock; a leader trusts its lease only until its own deadline (the start of
 * the request that took or renewed it, plus the duration), so a stall past it ends its leadership before it reads
 * anything.
 */
public final class LeaseRules {

    public enum Kind {
        /** No lease, or an expired one: take it with the next token. */
        ACQUIRE,
        /** The leader's own lease, same token: extend it. */
        RENEW,
        /** Someone else holds an unexpired lease (a leader that finds this has lost). */
        FOLLOW
    }

    /** {@code token}: the token to write (ACQUIRE) or renew (RENEW); {@code leader}: the holder when following. */
    public record Decision(Kind kind, long token, String leader) {
    }

    private LeaseRules() {
    }

    /**
     * @param stored the lease read (null: none yet)
     * @param me this replica
     * @param myToken the token this replica leads with, 0 when it does not lead
     */
    public static Decision decide(Lease stored, String me, long myToken, long now) {
        if (stored == null) {
            return new Decision(Kind.ACQUIRE, 1, null);
        }
        if (myToken > 0 && me.equals(stored.holder()) && stored.token() == myToken) {
            return new Decision(Kind.RENEW, myToken, me);
        }
        if (stored.expired(now)) {
            return new Decision(Kind.ACQUIRE, stored.token() + 1, null);
        }
        return new Decision(Kind.FOLLOW, stored.token(), stored.holder());
    }

    /** Whether a replica that took or renewed its lease with a request started at {@code renewedAt} still leads. */
    public static boolean leads(long myToken, long renewedAt, Duration lease, long now) {
        return myToken > 0 && now < renewedAt + lease.toMillis();
    }

    /** The first bad setting, naming its key; empty when they are usable. */
    public static Optional<String> problem(String namespace, Duration lease, Duration renew) {
        if (namespace == null || !namespace.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            return Optional.of("shiftwork.cluster.namespace must be 1-64 letters, digits, '.', '_' or '-', got '" + namespace + "'");
        }
        if (lease.isNegative() || lease.compareTo(Duration.ofSeconds(1)) < 0) {
            return Optional.of("shiftwork.cluster.lease-duration must be at least PT1S, got " + lease);
        }
        if (renew.isNegative() || renew.isZero()) {
            return Optional.of("shiftwork.cluster.renew-interval must be positive, got " + renew);
        }
        if (renew.multipliedBy(2).compareTo(lease) > 0) {
            return Optional.of("shiftwork.cluster.renew-interval (" + renew + ") must be at most half of "
                    + "shiftwork.cluster.lease-duration (" + lease + "): a leader renews at least twice per lease");
        }
        return Optional.empty();
    }
}
