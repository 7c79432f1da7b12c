package io.shiftwork.pauseresume;

import static io.restassured.RestAssured.given;

import java.time.Duration;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.redshift.RedshiftClient;

/** What the pause/resume tests do from outside: idle clusters in moto, their status, the plan, the recorded runs. */
@ApplicationScoped
public class PauseFixture {

    private final RedshiftClient redshift;
    private final CloudWatchClient cloudWatch;
    private final PlanStore plans;
    private final MeterRegistry metrics;

    public PauseFixture(RedshiftClient redshift, CloudWatchClient cloudWatch, PlanStore plans, MeterRegistry metrics) {
        this.redshift = redshift;
        this.cloudWatch = cloudWatch;
        this.plans = plans;
        this.metrics = metrics;
    }

    /** Two days of idle CPU (1.5 %) and no connections in CloudWatch; {@code create}: the cluster first, available. */
    void idleCluster(String id, boolean create) {
        if (create) {
            redshift.createCluster(b -> b.clusterIdentifier(id).nodeType("ra3.xlplus").masterUsername("admin")
                    .masterUserPassword("Passw0rd-not-secret").numberOfNodes(2));
            awaitStatus(id, "available", id + " available");
        }
        CpuSeed.twoDays(cloudWatch, id, "CPUUtilization", at -> 1.5);
        CpuSeed.twoDays(cloudWatch, id, "DatabaseConnections", at -> 0.0);
    }

    String status(String id) {
        return redshift.describeClusters(b -> b.clusterIdentifier(id)).clusters().get(0).clusterStatus();
    }

    /** Waits up to 30 s (moto's transitional states last a second here) for the cluster's status. */
    void awaitStatus(String id, String status, String why) {
        org.awaitility.Awaitility.await(why).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> status.equals(status(id)));
    }

    ClusterPlan.PlannedWindow first(String cluster) {
        return plans.get(cluster).orElseThrow().windows().get(0);
    }

    /** ResumeCluster calls counted by the service's metric for the cluster. */
    double resumeCalls(String cluster) {
        var c = metrics.find("shiftwork.pause.resume.calls").tags("cluster", cluster, "call", "ResumeCluster").counter();
        return c == null ? 0 : c.count();
    }

    /** The {@code action} of each recorded run of the pipeline (cluster-pause, ...) for the cluster, newest first. */
    List<String> actions(String pipeline, String cluster) {
        return given().get("/pipelines/" + pipeline + "/runs").jsonPath().getList("findAll { it.parameters.cluster == '"
                + cluster + "' }.parameters.action", String.class);
    }
}
