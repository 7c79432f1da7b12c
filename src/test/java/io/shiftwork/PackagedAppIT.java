package io.shiftwork;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.shiftwork.local.LocalAws;

/**
 * The packaged application (target/quarkus-app), started as an operator would start it: a run survives a
 * restart because it lives in DynamoDB; a flow edited in an operator's routes directory replaces the packaged
 * one without a rebuild; a mounted config file overrides the packaged application.properties.
 */
class PackagedAppIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static LocalAws aws;

    @TempDir
    Path work;

    @BeforeAll
    static void emulators() {
        aws = LocalAws.start(Path.of("target", "emulators").toAbsolutePath());
        aws.createClusters("shiftwork-it", "shiftwork-it-etl");
    }

    @AfterAll
    static void stop() {
        aws.close();
    }

    @Test
    void runsSurviveARestartAndOperatorFilesChangeTheFlowWithoutARebuild() throws Exception {
        Path config = Files.createDirectories(work.resolve("config"));
        Files.writeString(config.resolve("application.properties"), "shiftwork.smoke.greeting=Howdy\n");

        String runId;
        int port = freePort();
        ServiceProcess first = launch(port, Map.of());
        try {
            runId = post(port, "/pipelines/smoke/runs", "{\"name\":\"ops\"}").get("runId").asText();
            JsonNode run = awaitFinished(port, runId);
            assertEquals("SUCCEEDED", run.get("status").asText());
            assertEquals("Howdy, ops!", run.at("/steps/0/output").asText(), "mounted config file took effect");
        } finally {
            assertEquals(143, first.stop(), "a SIGTERM ends the service with 128 + 15, not a crash: " + first.log());
        }
        assertTrue(!first.log().contains("Segfault") && first.log().contains("stopped in"), first.log());

        Path routes = Files.createDirectories(work.resolve("routes"));
        String packaged = Files.readString(Path.of("routes", "smoke.camel.yaml"));
        Files.writeString(routes.resolve("smoke.camel.yaml"), packaged.replace("'greet'", "'greet-loudly'"));
        ServiceProcess second = launch(port, Map.of("SHIFTWORK_ROUTES_DIR", "file:" + routes));
        try {
            JsonNode before = get(port, "/runs/" + runId);
            assertEquals("SUCCEEDED", before.get("status").asText(), "the run is still there after a restart");
            assertEquals("Howdy, ops!", before.at("/steps/0/output").asText());

            String edited = post(port, "/pipelines/smoke/runs", "{}").get("runId").asText();
            JsonNode run = awaitFinished(port, edited);
            assertEquals("greet-loudly", run.at("/steps/0/name").asText(), "the operator's flow ran");
        } finally {
            second.close();
        }
    }

    @Test
    void aRunWaitingWhenTheServiceIsKilledFinishesAfterARestartWithEachStepRunOnce() throws Exception {
        RedshiftSql redshift = new RedshiftSql(redshiftData(), "shiftwork-it");
        redshift.runFiles("stored-procedures");
        aws.redshift().faults().delayNext("' started'", 4.0);
        int port = freePort();
        Map<String, String> target = Map.of("SHIFTWORK_STATEMENTS_CLUSTER_IDENTIFIER", "shiftwork-it",
                "SHIFTWORK_STATEMENTS_DB_USER", "awsuser");
        ServiceProcess first = launch(port, target);
        String runId;
        try {
            runId = post(port, "/pipelines/stored-procedures/runs", "{\"event_message\":\"crash\"}").get("runId").asText();
            await().atMost(Duration.ofSeconds(10)).until(() -> "WAITING".equals(get(port, "/runs/" + runId).path("status").asText()));
        } finally {
            first.kill();
        }
        ServiceProcess second = launch(port, target);
        try {
            JsonNode run = awaitFinished(port, runId);
            assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
            assertEquals(2, run.get("steps").size());
            List<String> messages = new ArrayList<>();
            redshift.query("select message from public.etl_events order by message").forEach(r -> messages.add(r.get(0).stringValue()));
            assertEquals(List.of("crash finished", "crash started"), messages, "each procedure ran exactly once");
        } finally {
            second.close();
        }
    }

    @Test
    void theEtlSetupRunsThePackagedSqlFilesAndABadCronStopsStartUpNamingTheKey() throws Exception {
        int port = freePort();
        IllegalStateException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> launch(port, Map.of("SHIFTWORK_ETL_SCHEDULE", "at eleven on weekdays")));
        assertTrue(refused.getMessage().contains("shiftwork.etl.schedule 'at eleven on weekdays' is not a Quartz cron expression"),
                refused.getMessage());
        assertTrue(refused.getMessage().startsWith("the service exited with status 1:"), "a config error exits 1: " + refused.getMessage());

        try (ServiceProcess service = launch(port, Map.of("SHIFTWORK_STATEMENTS_CLUSTER_IDENTIFIER", "shiftwork-it-etl",
                "SHIFTWORK_STATEMENTS_DB_USER", "awsuser"))) {
            String runId = post(port, "/pipelines/etl-setup/runs", "{}").get("runId").asText();
            JsonNode run = awaitFinished(port, runId);
            assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
            assertEquals(4, run.get("steps").size());
            assertEquals(1L, new RedshiftSql(redshiftData(), "shiftwork-it-etl")
                    .query("select count(*) from pg_proc where proname = 'execute_elt_process'").get(0).get(0).longValue());
        }
    }

    @Test
    void twoReplicasTickingTogetherTakeOneSnapshotPerSchedule() throws Exception {
        try (software.amazon.awssdk.services.redshift.RedshiftClient redshift = software.amazon.awssdk.services.redshift.RedshiftClient
                .builder().endpointOverride(aws.moto().endpoint()).region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("local", "local")))
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build()) {
            redshift.createCluster(b -> b.clusterIdentifier("replicated").nodeType("ra3.xlplus").masterUsername("admin")
                    .masterUserPassword("Passw0rd-not-secret").numberOfNodes(2));
            Map<String, String> env = Map.of("SHIFTWORK_SNAPSHOTS_SCHEDULES_TWICE_TARGET", "replicated",
                    "SHIFTWORK_SNAPSHOTS_SCHEDULES_TWICE_INTERVAL", "1 hours",
                    "SHIFTWORK_SNAPSHOTS_TICK", "1h",
                    "SHIFTWORK_SNAPSHOTS_FIRST_TICK_DELAY", "5s");
            java.nio.file.Path a = Files.createDirectories(work.resolve("replica-a"));
            java.nio.file.Path b = Files.createDirectories(work.resolve("replica-b"));
            try (ServiceProcess first = ServiceProcess.start(a, freePort(), replicaProperties(), env);
                    ServiceProcess second = ServiceProcess.start(b, freePort(), replicaProperties(), env)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> redshift.describeClusterSnapshots(x -> x.clusterIdentifier("replicated"))
                        .snapshots().stream().anyMatch(s -> "manual".equals(s.snapshotType())));
                Thread.sleep(8000); // both replicas have ticked by now
                assertEquals(1, redshift.describeClusterSnapshots(x -> x.clusterIdentifier("replicated")).snapshots().stream()
                        .filter(s -> "manual".equals(s.snapshotType())).count(), "two replicas, one snapshot");
            }
        }
    }

    private Map<String, String> replicaProperties() {
        Map<String, String> properties = new java.util.HashMap<>(aws.config());
        properties.put("shiftwork.bootstrap", "true");
        return properties;
    }

    private static software.amazon.awssdk.services.redshiftdata.RedshiftDataClient redshiftData() {
        return software.amazon.awssdk.services.redshiftdata.RedshiftDataClient.builder()
                .endpointOverride(aws.redshift().endpoint())
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("local", "local")))
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                .build();
    }

    private ServiceProcess launch(int port, Map<String, String> extraEnv) throws IOException, InterruptedException {
        Map<String, String> properties = new java.util.HashMap<>(aws.config());
        properties.put("shiftwork.bootstrap", "true");
        // the prod profile's SQS long-poll settings, adjusted for moto (see application.properties)
        properties.put("shiftwork.statements.receive-max-messages", "1");
        properties.put("shiftwork.statements.receive-wait-seconds", "1");
        properties.put("shiftwork.statements.event-timeout", "PT5S");
        // the packaged app runs the prod profile, where the smoke pipeline is off
        properties.put("shiftwork.smoke.enabled", "true");
        return ServiceProcess.start(work, port, properties, extraEnv);
    }

    private static JsonNode awaitFinished(int port, String runId) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            last[0] = get(port, "/runs/" + runId);
            String status = last[0].path("status").asText();
            return status.equals("SUCCEEDED") || status.equals("FAILED");
        });
        return last[0];
    }

    private static JsonNode get(int port, String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", token()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static JsonNode post(int port, String path, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").header("Authorization", token())
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static String token;

    /** The admin's token of the local user pool (tokens last an hour; this class takes minutes). */
    private static synchronized String token() {
        if (token == null) {
            token = ServiceProcess.bearer(aws);
        }
        return token;
    }

    private static int freePort() throws IOException {
        return ServiceProcess.freePort();
    }
}
