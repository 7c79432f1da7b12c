package io.shiftwork.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.shiftwork.ServiceProcess;
import io.shiftwork.local.LocalAws;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.redshift.RedshiftClient;

/**
 * Issue 14, one actor: two packaged replicas with their schedulers on, against the same emulators. Only the lease
 * holder acts; the leader is frozen (SIGSTOP) in the middle of a tick, while its DescribeClusters is on the wire;
 * the other takes over past the lease and pauses; the old leader is continued (SIGCONT) with its stale answer
 * ("available") in hand and must neither act nor record anything: one PauseCluster and one ResumeCluster in all,
 * counted at the emulator, and the cluster is resumed on time.
 */
class OneActorIT {

    private static final String CLUSTER = "actor-it";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static LocalAws aws;

    /** The replicas' working directories and logs, kept for a look after a failure. */
    private final Path work = Path.of("target", "one-actor-it").toAbsolutePath();

    @BeforeAll
    static void emulators() {
        System.setProperty("shiftwork.it.ready-seconds", System.getProperty("shiftwork.it.ready-seconds", "150"));
        aws = LocalAws.start(Path.of("target", "emulators-one-actor").toAbsolutePath());
        aws.createClusters(CLUSTER);
    }

    @AfterAll
    static void stop() {
        if (aws != null) {
            aws.close();
        }
    }

    @Test
    void oneActionPerWindowAndAFrozenLeaderThatWakesUpDoesNotAct() throws Exception {
        try (CloudWatchClient cloudWatch = client(CloudWatchClient.builder()); RedshiftClient redshift = client(RedshiftClient.builder());
                DynamoDbClient dynamo = client(DynamoDbClient.builder())) {
            idleMetrics(cloudWatch);
            Map<String, ServiceProcess> replicas = new HashMap<>();
            Map<String, Path> logs = new HashMap<>();
            try {
                // one after the other: two JVMs starting at once on a small machine start slower than in turn
                replicas.put("replica-a", launch("replica-a", logs).join());
                replicas.put("replica-b", launch("replica-b", logs).join());

                String leader = await("a leader").atMost(Duration.ofSeconds(20)).until(() -> holder(dynamo), h -> h != null);
                String follower = leader.equals("replica-a") ? "replica-b" : "replica-a";
                await("the leader's master: routes started").atMost(Duration.ofSeconds(30))
                        .until(() -> Files.readString(logs.get(leader)).contains("Consumer started: timer://pause-resume-executor"));
                assertTrue(!Files.readString(logs.get(leader)).contains("Attempt #2 to start consumer"),
                        "one timer consumer per master: route (Camel 4.14 starts one per attempt)");

                // the leader's next tick stalls in DescribeClusters; the window is due now, its resume in 50 s
                post("/_shiftwork/delay", "{\"action\":\"DescribeClusters\",\"clusterIdentifier\":\"" + CLUSTER + "\",\"seconds\":3,\"times\":1}");
                Instant resumeAt = writePlan(dynamo, Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(50));
                await("the leader's DescribeClusters on the wire").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                        .until(() -> calls().path("delaying").asInt() == 1);
                signal(replicas.get(leader), "STOP");
                long frozenAt = System.nanoTime();
                try {
                    await("the follower takes over and pauses").atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200))
                            .until(() -> follower.equals(holder(dynamo)) && "PAUSED".equals(windowState(dynamo)));
                    System.out.printf("OneActorIT: the follower paused %.1f s after the leader froze (lease 4 s)%n",
                            (System.nanoTime() - frozenAt) / 1e9);
                    assertEquals(1, count("PauseCluster"), "one pause, by the new leader");
                } finally {
                    signal(replicas.get(leader), "CONT");
                }
                await("the old leader's stale tick is fenced").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                        .until(() -> Files.readString(logs.get(leader)).contains("did not decide the tick of " + CLUSTER));
                assertEquals("PAUSED", windowState(dynamo), "the stale 'available' the old leader read changed nothing");

                await("resumed at resumeAt").atMost(Duration.between(Instant.now(), resumeAt).plusSeconds(20))
                        .pollInterval(Duration.ofMillis(250)).until(() -> "RESUMED".equals(windowState(dynamo)));
                assertTrue(!Instant.now().isBefore(resumeAt), "not before its time");
                await().atMost(Duration.ofSeconds(10)).until(() -> "available".equals(
                        redshift.describeClusters(x -> x.clusterIdentifier(CLUSTER)).clusters().get(0).clusterStatus()));
                Thread.sleep(3000); // both replicas tick every second: room for an extra call
                assertEquals(1, count("PauseCluster"), "one PauseCluster for the window, fleet-wide");
                assertEquals(1, count("ResumeCluster"), "one ResumeCluster for the window, fleet-wide");
                assertEquals(follower, holder(dynamo), "the old leader follows");
                for (Path log : logs.values()) {
                    assertTrue(!Files.readString(log).contains("Attempt #2 to start consumer"), "one timer consumer per master: route, "
                            + "after a takeover too: " + log);
                }
            } finally {
                for (ServiceProcess p : replicas.values()) {
                    p.close();
                }
            }
        }
    }

    @Test
    void aRenewIntervalLongerThanHalfTheLeaseStopsStartUpNamingTheKeys() throws Exception {
        Path dir = Files.createDirectories(work.resolve("misconfigured"));
        Files.deleteIfExists(dir.resolve("service.log"));
        Map<String, String> p = new HashMap<>(aws.config());
        p.put("shiftwork.cluster.lease-duration", "PT10S");
        p.put("shiftwork.cluster.renew-interval", "PT6S");
        IllegalStateException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> ServiceProcess.start(dir, ServiceProcess.freePort(), p, Map.of()));
        assertTrue(refused.getMessage().contains("shiftwork.cluster.renew-interval (PT6S) must be at most half of "
                + "shiftwork.cluster.lease-duration (PT10S)"), refused.getMessage());
    }

    private CompletableFuture<ServiceProcess> launch(String member, Map<String, Path> logs) throws Exception {
        Path dir = Files.createDirectories(work.resolve(member));
        Files.deleteIfExists(dir.resolve("service.log"));
        logs.put(member, dir.resolve("service.log"));
        Map<String, String> p = new HashMap<>(aws.config());
        p.put("shiftwork.bootstrap", "true");
        p.put("shiftwork.cluster.member-id", member);
        p.put("shiftwork.cluster.lease-duration", "PT4S");
        p.put("shiftwork.cluster.renew-interval", "PT1S");
        p.put("shiftwork.pause-resume.clusters." + CLUSTER + ".enabled", "true");
        p.put("shiftwork.pause-resume.executor-period", "1s");
        p.put("shiftwork.pause-resume.first-plan-delay", "10m"); // the plan is the test's, no forecast replaces it
        p.put("shiftwork.snapshots.scheduled", "false");
        p.put("shiftwork.etl.scheduled", "false");
        int port = ServiceProcess.freePort();
        return CompletableFuture.supplyAsync(() -> {
            try {
                return ServiceProcess.start(dir, port, p, Map.of());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static void signal(ServiceProcess p, String signal) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start().waitFor());
    }

    /** Low CPU and no connections over the last 30 minutes: every guard passes. */
    private static void idleMetrics(CloudWatchClient cloudWatch) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        for (String metric : List.of("CPUUtilization", "DatabaseConnections")) {
            List<MetricDatum> data = new ArrayList<>();
            for (int i = 1; i <= 6; i++) {
                data.add(MetricDatum.builder().metricName(metric).value(metric.startsWith("CPU") ? 1.5 : 0.0)
                        .timestamp(now.minus(Duration.ofMinutes(5L * i - 4)))
                        .dimensions(Dimension.builder().name("ClusterIdentifier").value(CLUSTER).build()).build());
            }
            cloudWatch.putMetricData(x -> x.namespace("AWS/Redshift").metricData(data));
        }
    }

    /** One window, due since a minute ago, resuming at {@code resumeAt}: the plan as the planner stores it. */
    private static Instant writePlan(DynamoDbClient dynamo, Instant resumeAt) throws Exception {
        Instant now = Instant.now();
        Map<String, Object> window = new HashMap<>();
        window.put("pauseAt", now.minusSeconds(60).toString());
        window.put("resumeAt", resumeAt.toString());
        window.put("open", false);
        window.put("state", "PLANNED");
        window.put("note", null);
        window.put("since", now.toString());
        Map<String, Object> plan = new HashMap<>();
        plan.put("clusterId", CLUSTER);
        plan.put("computedAt", now.toString());
        plan.put("threshold", 10.0);
        plan.put("windows", List.of(window));
        plan.put("forecast", List.of());
        plan.put("holdUntil", null);
        plan.put("version", 1);
        dynamo.putItem(x -> x.tableName("shiftwork-pause-plans").item(Map.of("cluster", AttributeValue.fromS(CLUSTER),
                "plan", AttributeValue.fromS(json(plan)), "version", AttributeValue.fromN("1"))));
        return resumeAt;
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String windowState(DynamoDbClient dynamo) throws Exception {
        Map<String, AttributeValue> item = dynamo.getItem(x -> x.tableName("shiftwork-pause-plans")
                .key(Map.of("cluster", AttributeValue.fromS(CLUSTER))).consistentRead(true)).item();
        return JSON.readTree(item.get("plan").s()).at("/windows/0/state").asText();
    }

    private static String holder(DynamoDbClient dynamo) {
        Map<String, AttributeValue> item = dynamo.getItem(x -> x.tableName("shiftwork-leases")
                .key(Map.of("lease", AttributeValue.fromS("cluster/shiftwork"))).consistentRead(true)).item();
        if (item == null || !item.containsKey("leaseUntil") || Long.parseLong(item.get("leaseUntil").n()) < System.currentTimeMillis()) {
            return null;
        }
        return item.get("holder").s();
    }

    private static int count(String action) throws Exception {
        return calls().path("calls").path(action).path(CLUSTER).asInt(0);
    }

    private static JsonNode calls() throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(aws.moto().endpoint().resolve("/_shiftwork/calls")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private static void post(String path, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(aws.moto().endpoint().resolve(path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
    }

    private static <B extends software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<B, C>
            & software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder<B, C>, C> C client(B builder) {
        return builder.endpointOverride(aws.moto().endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }
}
