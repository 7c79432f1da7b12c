package io.shiftwork.pool;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;


import io.quarkus.runtime.StartupEvent;
import io.shiftwork.auth.Roles;
import io.shiftwork.pipelines.ParamSpec;
import io.shiftwork.pipelines.ParamSpec.Type;
import io.shiftwork.pipelines.PipelineSpec;

/** The consumer pool's record pipeline (each register and deregister is a run) and its state over HTTP (viewer). */
@ApplicationScoped
@Path("/consumer-pool")
public class ConsumerPoolPipelines {

    private final ConsumerPool pool;
    private final PoolConfig config;

    public ConsumerPoolPipelines(ConsumerPool pool, PoolConfig config) {
        this.pool = pool;
        this.config = config;
    }

    /** A pool that cannot keep its promise (deregistered within one interval) stops start-up naming the key. */
    void validate(@Observes StartupEvent ev) {
        check(config);
    }

    /** Stops start-up, naming the key, when shiftwork.pool.* cannot work. */
    static void check(PoolConfig config) {
        // the check's timer runs (and does nothing) without consumers too: its period and delay are checked always
        long interval = io.shiftwork.pipelines.RouteTimers.duration("shiftwork.pool.interval", config.interval(), 1);
        io.shiftwork.pipelines.RouteTimers.duration("shiftwork.pool.first-check-delay", config.firstCheckDelay(), 0);
        if (config.consumers().orElse(List.of()).isEmpty()) {
            return;
        }
        if (config.targetGroup().isEmpty()) {
            throw new IllegalStateException("shiftwork.pool.consumers is set but shiftwork.pool.target-group is not");
        }
        if (config.queryTimeout().isNegative() || config.queryTimeout().isZero()) {
            throw new IllegalStateException("shiftwork.pool.query-timeout must be positive, got " + config.queryTimeout());
        }
        if (config.unhealthyThreshold() < 1 || config.healthyThreshold() < 1) {
            throw new IllegalStateException("shiftwork.pool.unhealthy-threshold and shiftwork.pool.healthy-threshold must "
                    + "be at least 1, got " + config.unhealthyThreshold() + " and " + config.healthyThreshold());
        }
        if (config.queryTimeout().toMillis() >= interval) {
            throw new IllegalStateException("shiftwork.pool.query-timeout (" + config.queryTimeout()
                    + ") must be shorter than shiftwork.pool.interval (" + config.interval() + ")");
        }
        String sql = config.checkSql().trim();
        if (sql.length() > 4096 || !sql.matches("(?is)(select|with)\\s.*") || sql.replaceFirst(";\\s*$", "").contains(";")) {
            throw new IllegalStateException("shiftwork.pool.check-sql must be one SELECT (or WITH) statement of at most "
                    + "4096 characters, got '" + (sql.length() > 80 ? sql.substring(0, 77) + "..." : sql) + "'");
        }
        new ConsumerHealth.Thresholds(config.unhealthyThreshold(), config.healthyThreshold());
    }

    @Produces
    PipelineSpec consumerPool() {
        return PipelineSpec.record(ConsumerPool.PIPELINE, "Record of a change of the consumer pool's NLB target group: "
                + "a consumer's endpoints registered once it answers SQL, deregistered once it does not; fail-open when that "
                + "would leave the target group empty and its targets are kept",
                List.of(ParamSpec.optional("consumer", Type.STRING, null, "the consumer's Serverless workgroup").maxLength(128),
                        ParamSpec.required("change", Type.STRING, "register, deregister or fail-open (targets kept)").maxLength(16),
                        ParamSpec.required("targets", Type.STRING, "ip:port of each target changed").maxLength(1024),
                        ParamSpec.required("targetGroup", Type.STRING, "the target group's ARN").maxLength(256),
                        ParamSpec.required("reason", Type.STRING, "what the checks found").maxLength(512)));
    }

    /** Each consumer's health as the last check left it, the ones in the pool and the target group. */
    @GET
    @RolesAllowed(Roles.VIEWER)
    @jakarta.ws.rs.Produces("application/json")
    public Map<String, Object> state() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("targetGroup", pool.targetGroupArn().orElse(config.targetGroup().orElse(null)));
        out.put("healthy", pool.healthy());
        out.put("consumers", pool.consumers());
        out.put("failingOpen", pool.failingOpen().orElse(null));
        out.put("interval", config.interval());
        return out;
    }
}
