package io.shiftwork.pauseresume;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;

import io.shiftwork.auth.Roles;
import io.shiftwork.pipelines.ApiException;
import io.shiftwork.pipelines.Bootstrap;
import io.shiftwork.pipelines.Callers;
import io.shiftwork.pipelines.ParamSpec;
import io.shiftwork.pipelines.ParamSpec.Type;
import io.shiftwork.pipelines.PipelineSpec;
import io.shiftwork.pipelines.Trigger;
import io.vertx.core.http.HttpServerRequest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;

/** Pause/resume pipelines, manual control ({@code /clusters/{id}/...}: operator) and the plan picture (viewer). */
@ApplicationScoped
@Path("/clusters")
public class PauseResumePipelines implements Bootstrap.Step {

    private final PauseResumeManager manager;
    private final PauseResumeConfig config;
    private final PlanStore plans;
    private final S3Client s3;
    private final Callers callers;
    private final java.time.Clock clock;

    public PauseResumePipelines(PauseResumeManager manager, PauseResumeConfig config, PlanStore plans, S3Client s3,
            Callers callers, java.time.Clock clock) {
        this.clock = clock;
        this.callers = callers;
        this.manager = manager;
        this.config = config;
        this.plans = plans;
        this.s3 = s3;
    }

    @Override
    public void bootstrap() {
        plans.createTable();
        try {
            s3.createBucket(b -> b.bucket(config.historyBucket()));
        } catch (BucketAlreadyOwnedByYouException exists) {
            // created before
        }
    }

    @Produces
    PipelineSpec pauseResume() {
        return PipelineSpec.of("pause-resume", "Forecast each cluster's CPU and plan pauses through idle windows",
                config.scheduled() ? "daily" : null, List.of()).startedBy(Trigger.HTTP, Trigger.SCHEDULE)
                // with Amazon Forecast a plan trains predictors, which are paid for
                .requires("amazon-forecast".equals(config.forecaster()) ? io.shiftwork.auth.Roles.ADMIN
                        : io.shiftwork.auth.Roles.OPERATOR);
    }

    private static List<ParamSpec> action() {
        return List.of(ParamSpec.required("cluster", Type.STRING, "cluster identifier").maxLength(63),
                ParamSpec.required("action", Type.STRING, "what was done and why").maxLength(512));
    }

    @Produces
    PipelineSpec clusterPause() {
        return PipelineSpec.record("cluster-pause", "Record of an automatic pause (or of a skipped one)", action());
    }

    @Produces
    PipelineSpec clusterResume() {
        return PipelineSpec.record("cluster-resume", "Record of a resume, planned or requested", action());
    }

    @Produces
    PipelineSpec clusterHold() {
        return PipelineSpec.record("cluster-hold", "Record of a hold on automatic pauses", action());
    }

    @POST
    @Path("{id}/resume")
    @RolesAllowed(Roles.OPERATOR)
    @jakarta.ws.rs.Produces("application/json")
    public Map<String, Object> resume(@PathParam("id") String id, @Context HttpServerRequest request) {
        return manager.resumeNow(id, callers.http(request));
    }

    @POST
    @Path("{id}/hold")
    @RolesAllowed(Roles.OPERATOR)
    @jakarta.ws.rs.Produces("application/json")
    public Map<String, Object> hold(@PathParam("id") String id, @QueryParam("until") String until,
            @Context HttpServerRequest request) {
        if (until == null || until.isBlank()) {
            throw ApiException.badRequest("missing_parameter", "until is required: an ISO-8601 UTC instant such as 2026-11-22T08:00:00Z");
        }
        Instant at;
        try {
            at = Instant.parse(until);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("invalid_parameter_value", "until must be an ISO-8601 UTC instant such as "
                    + "2026-11-22T08:00:00Z, got '" + until + "'");
        }
        Instant now = clock.instant();
        if (!at.isAfter(now)) {
            throw ApiException.badRequest("invalid_parameter_value", "until must be in the future (now: " + now
                    + "), got '" + until + "'");
        }
        return manager.hold(id, at, callers.http(request));
    }

    /**
     * The current plan: windows (open-ended ones with their maximum and wake paths), hold, zone, with what it is
     * expected to save ({@code savings}: {@link PlanSavings}) and the forecast it was made from.
     */
    @GET
    @Path("{id}/plan")
    @RolesAllowed(Roles.VIEWER)
    @jakarta.ws.rs.Produces("application/json")
    public Map<String, Object> plan(@PathParam("id") String id) {
        Map<String, Object> out = manager.planView(id);
        ClusterPlan plan = manager.planOf(id).orElseThrow(() -> ApiException.notFound(
                "cluster '" + id + "' has no plan yet: POST /pipelines/pause-resume/runs"));
        out.put("savings", savings(id, plan));
        out.put("forecast", plan.forecast());
        return out;
    }

    PlanSavings savings(String id, ClusterPlan plan) {
        PauseResumeConfig.ClusterConfig c = config.clusters().get(id);
        return PlanSavings.of(plan, c == null ? config.nodeType() : c.nodeType().orElse(config.nodeType()),
                c == null ? config.nodes() : c.nodes().orElse(config.nodes()),
                c == null ? config.nodeHourPrice() : c.nodeHourPrice().orElse(config.nodeHourPrice()), java.time.ZoneOffset.UTC);
    }

    @GET
    @Path("{id}/plan.svg")
    @RolesAllowed(Roles.VIEWER)
    @jakarta.ws.rs.Produces("image/svg+xml")
    public String planSvg(@PathParam("id") String id) {
        manager.requireKnown(id);
        ClusterPlan plan = manager.planOf(id).orElseThrow(() -> ApiException.notFound(
                "cluster '" + id + "' has no plan yet: POST /pipelines/pause-resume/runs"));
        return PlanSvg.render(plan, manager.recentCpu(id), savings(id, plan).summary());
    }
}
