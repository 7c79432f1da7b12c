package io.shiftwork.local.demo;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.shiftwork.LocalAwsTestResource;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.Statistic;
import software.amazon.awssdk.services.redshift.RedshiftClient;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.redshiftserverless.RedshiftServerlessClient;

/**
 * The local run's demo, switched on in a test profile with two days of history instead of 28: what moto and the
 * local Redshift hold afterwards, the sample procedure callable on both targets, the plan it starts, and a
 * second bootstrap changing nothing.
 */
@QuarkusTest
@TestProfile(DemoBootstrapTest.Demo.class)
@QuarkusTestResource(value = LocalAwsTestResource.class, restrictToAnnotatedClass = true)
class DemoBootstrapTest {

    static final String CLUSTER = "shiftwork-test"; // %test.shiftwork.statements.cluster-identifier
    static final String SERVERLESS = "demo-test-serverless";

    public static class Demo implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("shiftwork.demo.enabled", "true",
                    "shiftwork.demo.namespace", SERVERLESS,
                    "shiftwork.demo.workgroup", SERVERLESS,
                    "shiftwork.sql.dir", "file:sql",
                    "shiftwork.pause-resume.backfill-days", "2",
                    "shiftwork.pause-resume.clusters." + CLUSTER + ".enabled", "true");
        }
    }

    @Inject
    RedshiftClient redshift;
    @Inject
    RedshiftServerlessClient serverless;
    @Inject
    RedshiftDataClient data;
    @Inject
    CloudWatchClient cloudWatch;
    @Inject
    DemoBootstrap demo;

    @Test
    void theDemoCreatesItsResourcesSeedsTheHistoryPlansAndASecondRunChangesNothing() {
        assertEquals("available", redshift.describeClusters(b -> b.clusterIdentifier(CLUSTER)).clusters().get(0).clusterStatus());
        assertEquals("AVAILABLE", serverless.getWorkgroup(b -> b.workgroupName(SERVERLESS)).workgroup().statusAsString());
        assertEquals(SERVERLESS, serverless.getNamespace(b -> b.namespaceName(SERVERLESS)).namespace().namespaceName());

        // the history, then the plan the demo starts on it
        await().atMost(Duration.ofMinutes(2)).until(() -> datapoints("CPUUtilization") == 2 * 288);
        assertEquals(2 * 288, datapoints("DatabaseConnections"));
        await().atMost(Duration.ofMinutes(1)).until(() -> given().get("/pipelines/pause-resume/runs").then().extract()
                .jsonPath().getList("findAll { it.status == 'SUCCEEDED' }").size() == 1); // no timer in tests: the demo's
        assertEquals("shiftwork-test", given().get("/pipelines/cluster-hold/runs").then().statusCode(200).extract()
                .path("[0].parameters.cluster"), "pauses held for the first hour");

        // the sample procedure, on the cluster through the pipeline and on the workgroup through the Data API
        String runId = given().contentType(ContentType.JSON)
                .body("{\"spname\":\"public.sp_etl_log_etl_event\",\"event_message\":\"demo\"}")
                .post("/pipelines/stored-procedure/runs").then().statusCode(202).extract().path("runId");
        await().atMost(Duration.ofSeconds(60)).until(() -> List.of("SUCCEEDED", "FAILED")
                .contains(given().get("/runs/" + runId).<String>path("status")));
        assertEquals("SUCCEEDED", given().get("/runs/" + runId).path("status"), given().get("/runs/" + runId).asString());
        String id = data.executeStatement(b -> b.workgroupName(SERVERLESS).database("dev")
                .sql("CALL public.sp_etl_log_etl_event('demo on serverless')")).id();
        await().atMost(Duration.ofSeconds(30)).until(() -> List.of("FINISHED", "FAILED", "ABORTED")
                .contains(data.describeStatement(b -> b.id(id)).statusAsString()));
        assertEquals("FINISHED", data.describeStatement(b -> b.id(id)).statusAsString(), data.describeStatement(b -> b.id(id)).error());

        // again: everything exists, the history is not put twice
        demo.createCluster(CLUSTER, "awsuser");
        demo.createServerless(SERVERLESS, SERVERLESS, "dev");
        demo.install(DemoBootstrap.sqlFiles("file:sql", "stored-procedures"), b -> b.workgroupName(SERVERLESS).database("dev"));
        assertEquals(0, demo.putHistory(CLUSTER, Instant.now(), 2));
        assertEquals(2 * 288, datapoints("CPUUtilization"));
        assertEquals(1, redshift.describeClusters(b -> b.clusterIdentifier(CLUSTER)).clusters().size());
        assertTrue(serverless.listWorkgroups(b -> { }).workgroups().stream().filter(w -> w.workgroupName().equals(SERVERLESS)).count() == 1);

        // a restart against emulators that outlived the last run, the demo cluster paused meanwhile: resumed
        redshift.pauseCluster(b -> b.clusterIdentifier(CLUSTER));
        await().atMost(Duration.ofSeconds(30)).until(() -> "paused".equals(
                redshift.describeClusters(b -> b.clusterIdentifier(CLUSTER)).clusters().get(0).clusterStatus()));
        demo.createCluster(CLUSTER, "awsuser");
        assertEquals("available", redshift.describeClusters(b -> b.clusterIdentifier(CLUSTER)).clusters().get(0).clusterStatus());
    }

    /** 5-minute datapoints CloudWatch holds for the cluster over the last two days. */
    private int datapoints(String metric) {
        Instant now = Instant.now();
        return cloudWatch.getMetricStatistics(b -> b.namespace("AWS/Redshift").metricName(metric)
                .dimensions(Dimension.builder().name("ClusterIdentifier").value(CLUSTER).build())
                .startTime(now.minus(Duration.ofDays(3))).endTime(now).period(300).statistics(Statistic.SAMPLE_COUNT))
                .datapoints().size();
    }
}
