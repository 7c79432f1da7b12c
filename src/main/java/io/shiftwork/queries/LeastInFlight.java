package io.shiftwork.queries;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The order in which a read tries the candidates: fewest reads in flight from this replica first, ties taken in
 * turn (so equally idle consumers share the load), the rest after it for failover. Counts only what this replica
 * sends: other replicas and BI tools are not seen (the health-aware pool is what sees a consumer struggling).
 */
public final class LeastInFlight {

    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong turn = new AtomicLong();

    /** The candidates, least busy first; among equals, rotated by one each call. */
    public List<ReadTarget> order(List<ReadTarget> candidates) {
        if (candidates.size() < 2) {
            return candidates;
        }
        int shift = (int) Math.floorMod(turn.getAndIncrement(), (long) candidates.size());
        List<ReadTarget> rotated = new ArrayList<>(candidates.size());
        for (int i = 0; i < candidates.size(); i++) {
            rotated.add(candidates.get((i + shift) % candidates.size()));
        }
        rotated.sort(Comparator.comparingInt(this::inFlight)); // stable: the rotation breaks ties
        return rotated;
    }

    public int inFlight(ReadTarget target) {
        AtomicInteger n = inFlight.get(target.toString());
        return n == null ? 0 : n.get();
    }

    /** A read starts on the target; {@link #done} when it ended (or failed to submit). */
    public void started(ReadTarget target) {
        inFlight.computeIfAbsent(target.toString(), t -> new AtomicInteger()).incrementAndGet();
    }

    public void done(ReadTarget target) {
        AtomicInteger n = inFlight.get(target.toString());
        if (n != null) {
            n.decrementAndGet();
        }
    }
}
