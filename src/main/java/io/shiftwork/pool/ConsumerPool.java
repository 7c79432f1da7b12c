package io.shiftwork.pool;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.shiftwork.pipelines.PipelineRunner;
import io.shiftwork.pipelines.StartedBy;
import io.shiftwork.pipelines.Trigger;
import io.shiftwork.pool.ConsumerHealth.Event;
import io.shiftwork.pool.ConsumerHealth.Status;
import io.shiftwork.pool.ConsumerProbe.Result;
import io.shiftwork.pool.ConsumerProbe.Target;

/**
 * The health-aware consumer pool: each {@link #check()} (routes/consumer-pool.camel.yaml, on the leader) checks every
 * configured consumer at the SQL level ({@link ConsumerProbe}), moves its health on ({@link ConsumerHealth}) and makes
 * the NLB target group hold exactly the endpoints of the consumers in the pool, registering and deregistering what
 * differs; every register or deregister is a run of the record pipeline {@code consumer-pool}. {@link #healthy()}
 * tells other flows which consumers answer SQL now.
 */
@ApplicationScoped
@Named("consumerPool")
@RegisterForReflection
public class ConsumerPool {

    private static final Logger LOG = Logger.getLogger(ConsumerPool.class);
    static final String PIPELINE = "consumer-pool";

    /**
     * What the pool knows of one consumer.
     *
     * @param inconclusive why its last check said nothing of it (the AWS side throttled, failed or timed out), else null
     */
    @RegisterForReflection
    public record Consumer(String workgroup, Status status, List<Target> targets, Instant checkedAt, String lastFailure,
            String inconclusive, int dataApiCalls, long checkMillis) {
    }

    /**
     * The pool failing open: its plan would have left the target group empty although consumers are configured, so
     * the targets it held were kept (as an NLB routes to all its targets when none is healthy).
     *
     * @param since the check that first kept them
     * @param reason what the checks found
     * @param kept ip:port of the targets kept
     */
    @RegisterForReflection
    public record FailOpen(Instant since, String reason, List<String> kept) {
    }

    private final PoolConfig config;
    private final ConsumerProbe probe;
    private final PoolTargets targets;
    private final PipelineRunner runner;
    private final MeterRegistry metrics;
    private final boolean bootstrap;
    private final ConsumerHealth.Thresholds thresholds;
    private final Map<String, Consumer> consumers = new ConcurrentHashMap<>();
    private final ExecutorService probes = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "consumer-pool-check");
        t.setDaemon(true);
        return t;
    });
    private volatile String targetGroupArn;
    private volatile FailOpen failingOpen;

    public ConsumerPool(PoolConfig config, ConsumerProbe probe, PoolTargets targets, PipelineRunner runner,
            MeterRegistry metrics, @ConfigProperty(name = "shiftwork.bootstrap", defaultValue = "false") boolean bootstrap) {
        this.config = config;
        this.probe = probe;
        this.targets = targets;
        this.runner = runner;
        this.metrics = metrics;
        this.bootstrap = bootstrap;
        this.thresholds = new ConsumerHealth.Thresholds(config.unhealthyThreshold(), config.healthyThreshold());
    }

    @PreDestroy
    void close() {
        probes.shutdownNow();
    }

    /** The configured consumers (Serverless workgroups) in the pool now, in configuration order; none before a check. */
    public List<String> healthy() {
        return configured().stream().filter(w -> {
            Consumer c = consumers.get(w);
            return c != null && c.status().state().inPool();
        }).toList();
    }

    /** What the pool knows of each configured consumer (state, endpoint targets, last check). */
    public List<Consumer> consumers() {
        return configured().stream().map(w -> consumers.getOrDefault(w,
                new Consumer(w, Status.UNKNOWN, List.of(), null, null, null, 0, 0))).toList();
    }

    /** Whether (and why) the last check kept the target group's targets rather than leave it empty. */
    public Optional<FailOpen> failingOpen() {
        return Optional.ofNullable(failingOpen);
    }

    /** The target group's ARN once a check has found (or created) it. */
    public Optional<String> targetGroupArn() {
        return Optional.ofNullable(targetGroupArn);
    }

    private List<String> configured() {
        return config.consumers().orElse(List.of());
    }

    /**
     * One check of every consumer, in parallel, then the target group made to hold exactly the healthy consumers'
     * endpoints. Returns what each check found and what changed.
     */
    public synchronized Map<String, Object> check() {
        List<String> workgroups = configured();
        Map<String, Object> out = new LinkedHashMap<>();
        if (workgroups.isEmpty()) {
            out.put("consumers", List.of());
            return out;
        }
        List<Future<Result>> pending = new ArrayList<>();
        for (String w : workgroups) {
            pending.add(probes.submit(() -> probe.check(w, config.database(), config.queryTimeout(), config.checkSql().trim())));
        }
        Map<String, Result> results = new LinkedHashMap<>();
        Map<String, ConsumerHealth.Action> actions = new LinkedHashMap<>();
        Map<String, ConsumerHealth.State> previous = new LinkedHashMap<>();
        for (int i = 0; i < workgroups.size(); i++) {
            String w = workgroups.get(i);
            Result r = await(w, pending.get(i));
            results.put(w, r);
            Consumer before = consumers.get(w);
            ConsumerHealth.Transition t = ConsumerHealth.next(before == null ? Status.UNKNOWN : before.status(), r.event(),
                    thresholds);
            actions.put(w, t.action());
            previous.put(w, before == null ? ConsumerHealth.State.UNKNOWN : before.status().state());
            // a failed GetWorkgroup says nothing of the endpoint: keep the targets known before, to deregister them
            List<Target> known = !r.targets().isEmpty() || before == null ? r.targets() : before.targets();
            String lastFailure = r.event() == Event.FAILED ? r.failure() : before == null ? null : before.lastFailure();
            consumers.put(w, new Consumer(w, t.status(), known, Instant.now(), lastFailure,
                    r.inconclusive() ? r.failure() : null, r.dataApiCalls(), r.millis()));
            metrics.counter("shiftwork.pool.checks", "consumer", w, "result", r.event().name().toLowerCase(java.util.Locale.ROOT))
                    .increment();
            if (r.inconclusive()) {
                LOG.infof("consumer %s: check inconclusive, health unchanged (%s): %s", w, t.status(), r.failure());
            } else if (!r.passed()) {
                LOG.debugf("consumer %s failed its check (%s): %s", w, t.status(), r.failure());
            }
        }
        String arn = targetGroup(results.values());
        List<Map<String, Object>> changes = reconcile(arn, results, actions, previous);
        out.put("targetGroupArn", arn);
        out.put("consumers", consumers());
        out.put("changes", changes);
        out.put("failingOpen", failingOpen);
        return out;
    }

    private static Result await(String workgroup, Future<Result> f) {
        try {
            return f.get();
        } catch (ExecutionException e) {
            return new Result(workgroup, "check failed: " + e.getCause(), false, null, List.of(), 0, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking " + workgroup, e);
        }
    }

    /** A register or deregister the plan holds: applied, and recorded as a run, unless the pool fails open. */
    private record Change(String workgroup, String change, List<Target> targets, String reason) {
    }

    private List<Map<String, Object>> reconcile(String arn, Map<String, Result> results,
            Map<String, ConsumerHealth.Action> actions, Map<String, ConsumerHealth.State> previous) {
        Set<Target> registered;
        try {
            registered = targets.registered(arn);
        } catch (software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroupNotFoundException e) {
            targetGroupArn = null; // deleted meanwhile: looked up (or created) again by the next check
            throw e;
        }
        Set<Target> wanted = new LinkedHashSet<>();
        List<Change> plan = new ArrayList<>();
        for (String w : results.keySet()) {
            Consumer c = consumers.get(w);
            Result r = results.get(w);
            if (c.status().state().inPool()) {
                wanted.addAll(c.targets());
                List<Target> missing = c.targets().stream().filter(t -> !registered.contains(t)).toList();
                if (!missing.isEmpty()) {
                    plan.add(new Change(w, "register", missing, actions.get(w) == ConsumerHealth.Action.REGISTER
                            ? "answered SQL (check in " + r.millis() + " ms), " + (previous.get(w) == ConsumerHealth.State.UNKNOWN
                                    ? "its first check passed" : streak(thresholds.healthy(), "passed"))
                            : "healthy but missing from the target group"));
                }
            } else if (c.status().state() == ConsumerHealth.State.UNKNOWN) {
                // no conclusive check yet (the AWS side throttled or failed): its targets stay as they are
                c.targets().stream().filter(registered::contains).forEach(wanted::add);
            } else {
                List<Target> present = c.targets().stream().filter(registered::contains).toList();
                if (!present.isEmpty()) {
                    plan.add(new Change(w, "deregister", present, (actions.get(w) == ConsumerHealth.Action.DEREGISTER
                            ? (previous.get(w) == ConsumerHealth.State.UNKNOWN ? "its first check failed"
                                    : streak(thresholds.unhealthy(), "failed")) + ": " : c.status().state() + ": ")
                            + Objects.requireNonNullElse(c.lastFailure(), "not checked")));
                }
            }
        }
        Set<Target> known = new LinkedHashSet<>();
        consumers.values().forEach(c -> known.addAll(c.targets()));
        List<Target> strays = registered.stream().filter(t -> !wanted.contains(t) && !known.contains(t)).toList();
        if (!strays.isEmpty()) {
            plan.add(new Change(null, "deregister", strays, "not the endpoint of any configured consumer"));
        }
        Set<Target> after = new LinkedHashSet<>(registered);
        for (Change ch : plan) {
            if ("register".equals(ch.change())) {
                after.addAll(ch.targets());
            } else {
                ch.targets().forEach(after::remove);
            }
        }
        List<Map<String, Object>> changes = new ArrayList<>();
        if (ConsumerHealth.failOpen(results.size(), registered.size(), after.size())) {
            String why = "no consumer would be left in the target group; keeping its " + registered.size()
                    + " target(s) (failing open): " + String.join("; ", results.keySet().stream().map(w -> {
                        Consumer c = consumers.get(w);
                        return w + " " + c.status().state() + (c.inconclusive() != null ? " (" + c.inconclusive() + ")"
                                : c.lastFailure() != null ? " (" + c.lastFailure() + ")" : "");
                    }).toList());
            List<String> kept = registered.stream().map(Target::toString).toList();
            if (failingOpen == null) {
                failingOpen = new FailOpen(Instant.now(), why.length() > 1024 ? why.substring(0, 1021) + "..." : why, kept);
                LOG.warnf("consumer pool: %s", why);
                changes.add(record(arn, null, "fail-open", List.copyOf(registered), why));
            } else {
                failingOpen = new FailOpen(failingOpen.since(), failingOpen.reason(), kept);
                LOG.debugf("consumer pool: still failing open: %s", why);
            }
            return changes;
        }
        if (failingOpen != null) {
            LOG.infof("consumer pool: no longer failing open (failing open since %s)", failingOpen.since());
            failingOpen = null;
        }
        for (Change ch : plan) {
            if ("register".equals(ch.change())) {
                targets.register(arn, ch.targets());
            } else {
                targets.deregister(arn, ch.targets());
            }
            changes.add(record(arn, ch.workgroup(), ch.change(), ch.targets(), ch.reason()));
        }
        return changes;
    }

    private static String streak(int n, String what) {
        return n == 1 ? "its check " + what : n + " checks in a row " + what;
    }

    private Map<String, Object> record(String arn, String workgroup, String change, List<Target> changed, String reason) {
        Map<String, Object> params = new LinkedHashMap<>();
        if (workgroup != null) {
            params.put("consumer", workgroup);
        }
        params.put("change", change);
        params.put("targets", String.join(",", changed.stream().map(Target::toString).toList()));
        params.put("targetGroup", arn);
        params.put("reason", reason.length() > 512 ? reason.substring(0, 509) + "..." : reason);
        String runId = runner.record(PIPELINE, params, StartedBy.service(Trigger.SCHEDULE)).runId();
        metrics.counter("shiftwork.pool.changes", "change", change, "consumer", workgroup == null ? "none" : workgroup)
                .increment();
        String whose = workgroup != null ? workgroup : "fail-open".equals(change) ? "kept" : "stray targets";
        LOG.infof("consumer pool: %s %s %s (%s), run %s", change, whose, params.get("targets"), reason, runId);
        Map<String, Object> out = new LinkedHashMap<>(params);
        out.put("runId", runId);
        return out;
    }

    /** The target group's ARN: found by name or ARN, created in the consumers' VPC with shiftwork.bootstrap=true. */
    private String targetGroup(java.util.Collection<Result> results) {
        String arn = targetGroupArn;
        if (arn != null) {
            return arn;
        }
        String tg = config.targetGroup().orElseThrow(() -> new IllegalStateException(
                "no target group: set shiftwork.pool.target-group to the NLB target group's name or ARN"));
        Optional<software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroup> found = targets.find(tg);
        if (found.isPresent()) {
            targetGroupArn = found.get().targetGroupArn();
            return targetGroupArn;
        }
        if (!bootstrap || tg.startsWith("arn:")) {
            throw new IllegalStateException("target group " + tg + " (shiftwork.pool.target-group) does not exist");
        }
        String vpc = config.vpcId().orElseGet(() -> results.stream().map(Result::vpcId).filter(Objects::nonNull).findFirst()
                .orElseThrow(() -> new IllegalStateException("cannot create target group " + tg + ": no consumer's "
                        + "VPC known yet and shiftwork.pool.vpc-id unset")));
        int port = results.stream().flatMap(r -> r.targets().stream()).map(Target::port).findFirst().orElse(5439);
        targetGroupArn = targets.create(tg, vpc, port).targetGroupArn();
        LOG.infof("consumer pool: created target group %s in %s (TCP %d, ip targets)", tg, vpc, port);
        return targetGroupArn;
    }
}
