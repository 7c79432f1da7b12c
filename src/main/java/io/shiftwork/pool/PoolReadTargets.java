package io.shiftwork.pool;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import io.shiftwork.queries.ConfiguredReadTargets;
import io.shiftwork.queries.QueriesConfig;
import io.shiftwork.queries.ReadTarget;
import io.shiftwork.queries.ReadTargets;

/**
 * Routed reads ({@code POST /queries}) skip the consumers the health-aware pool has taken out: of
 * {@code shiftwork.queries.consumers}, every workgroup the pool checked and found out of the pool (UNHEALTHY, or
 * RECOVERING and not yet back) is left out; the others keep their configured order. The pool's state lives on the
 * replica that checks (the leader); on another replica, or before the first check, nothing is known and every
 * configured consumer stays a candidate, with the reads' failover on a refused submit as the backstop. While the pool
 * fails open (every consumer out at once), every configured consumer is a candidate again.
 */
@ApplicationScoped
public class PoolReadTargets implements ReadTargets {

    private final List<ReadTarget> configured;
    private final ConsumerPool pool;

    public PoolReadTargets(QueriesConfig config, ConsumerPool pool) {
        this.configured = new ConfiguredReadTargets(config).candidates();
        this.pool = pool;
    }

    @Override
    public List<ReadTarget> candidates() {
        if (pool.failingOpen().isPresent()) {
            return configured; // the pool keeps every target it held: so do routed reads
        }
        Map<String, ConsumerPool.Consumer> known = pool.consumers().stream()
                .filter(c -> c.checkedAt() != null && c.status().state() != ConsumerHealth.State.UNKNOWN)
                .collect(Collectors.toMap(ConsumerPool.Consumer::workgroup, Function.identity(), (a, b) -> a));
        return configured.stream().filter(t -> t.cluster() || !known.containsKey(t.name())
                || known.get(t.name()).status().state().inPool()).toList();
    }
}
