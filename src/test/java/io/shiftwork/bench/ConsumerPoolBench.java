package io.shiftwork.bench;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.shiftwork.ServiceProcess;
import io.shiftwork.local.LocalAws;
import io.shiftwork.local.redshift.Faults;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthStateEnum;
import software.amazon.awssdk.services.redshiftserverless.RedshiftServerlessClient;

/**
 * The consumer pool in the packaged service against the emulators, on its own timer: what one consumer's check costs
 * (Data API calls, ms, as GET /consumer-pool reports them) and how long after a consumer stops answering SQL its
 * endpoint leaves the NLB target group (and comes back after it recovers), seen from elbv2.
 * Usage: {@code bench/run consumer-pool [consumers] [interval-seconds] [rounds]}.
 */
public final class ConsumerPoolBench {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static volatile String auth;

    public static void main(String[] args) throws Exception {
        int consumers = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int interval = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path work = Files.createTempDirectory("shiftwork-pool-bench");
        try (LocalAws aws = LocalAws.start(Path.of("target", "emulators").toAbsolutePath());
                RedshiftServerlessClient serverless = RedshiftServerlessClient.builder()
                        .endpointOverride(aws.redshift().endpoint()).region(Region.US_EAST_1).credentialsProvider(creds())
                        .httpClient(UrlConnectionHttpClient.create()).build();
                ElasticLoadBalancingV2Client elb = ElasticLoadBalancingV2Client.builder().endpointOverride(aws.moto().endpoint())
                        .region(Region.US_EAST_1).credentialsProvider(creds()).httpClient(UrlConnectionHttpClient.create()).build()) {
            List<String> names = new ArrayList<>();
            Map<String, String> endpoints = new HashMap<>();
            for (int i = 1; i <= consumers; i++) {
                String w = "bench-consumer-" + i;
                serverless.createNamespace(b -> b.namespaceName(w).dbName("dev"));
                var e = serverless.createWorkgroup(b -> b.workgroupName(w).namespaceName(w)).workgroup().endpoint();
                endpoints.put(w, e.vpcEndpoints().get(0).networkInterfaces().get(0).privateIpAddress() + ":" + e.port());
                names.add(w);
            }
            Map<String, String> properties = new HashMap<>(aws.config());
            properties.put("shiftwork.bootstrap", "true");
            properties.put("shiftwork.pool.consumers", String.join(",", names));
            properties.put("shiftwork.pool.target-group", "bench-consumers");
            properties.put("shiftwork.pool.interval", interval + "s");
            properties.put("shiftwork.pool.first-check-delay", "1s");
            properties.put("shiftwork.pool.query-timeout", "PT2S");
            properties.put("quarkus.log.level", "WARN");
            try (ServiceProcess app = ServiceProcess.start(work, ServiceProcess.freePort(), properties, Map.of())) {
                auth = ServiceProcess.bearer(aws);
                JsonNode state = awaitState(app, s -> s.path("healthy").size() == consumers
                        && s.path("targetGroup").asText().startsWith("arn:"), 120_000);
                String arn = state.path("targetGroup").asText();
                awaitTargets(elb, arn, t -> t.containsAll(endpoints.values()), interval * 4000L);
                // the check's cost, sampled over a few intervals
                List<Double> calls = new ArrayList<>();
                List<Double> millis = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    for (JsonNode c : state.path("consumers")) {
                        calls.add(c.path("dataApiCalls").asDouble());
                        millis.add(c.path("checkMillis").asDouble());
                    }
                    String checkedAt = state.path("consumers").get(0).path("checkedAt").asText();
                    state = awaitState(app, s -> !s.path("consumers").get(0).path("checkedAt").asText().equals(checkedAt),
                            interval * 3000L);
                }
                String victim = names.get(0);
                List<Long> out = new ArrayList<>();
                List<Long> back = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    // the consumer fails at points spread evenly over the check interval, not right after a check
                    Thread.sleep((long) ((r + 0.5) * interval * 1000 / rounds));
                    long t0 = System.nanoTime();
                    aws.redshift().faults().arm(Faults.Action.FAIL, "SELECT 1", "ERROR: bench: consumer down", 0, -1, null, victim);
                    awaitTargets(elb, arn, t -> !t.contains(endpoints.get(victim)), interval * 4000L);
                    out.add((System.nanoTime() - t0) / 1_000_000);
                    long t1 = System.nanoTime();
                    aws.redshift().faults().disarmWorkgroup(victim);
                    awaitTargets(elb, arn, t -> t.contains(endpoints.get(victim)), interval * 6000L);
                    back.add((System.nanoTime() - t1) / 1_000_000);
                }
                double avgCalls = calls.stream().mapToDouble(d -> d).average().orElse(0);
                double avgMs = millis.stream().mapToDouble(d -> d).average().orElse(0);
                long maxOut = out.stream().mapToLong(l -> l).max().orElse(0);
                System.out.printf(Locale.ROOT, "consumer pool, %d consumers, interval %d s, %d cores%n", consumers, interval,
                        Runtime.getRuntime().availableProcessors());
                System.out.printf(Locale.ROOT, "check per consumer: %.1f Data API calls, %.0f ms (GetWorkgroup + SELECT 1 to FINISHED)%n",
                        avgCalls, avgMs);
                System.out.printf(Locale.ROOT, "fault to deregistered, at points spread over the interval: %s ms (mean %.0f, max %d; "
                        + "target <= interval + check + 1 s = %d)%n", out, out.stream().mapToLong(l -> l).average().orElse(0),
                        maxOut, interval * 1000 + Math.round(avgMs) + 1000);
                System.out.printf(Locale.ROOT, "recovered to registered (healthy-threshold 2): %s ms%n", back);
                System.out.printf(Locale.ROOT, "{\"bench\":\"consumer-pool\",\"consumers\":%d,\"intervalSeconds\":%d,"
                        + "\"dataApiCallsPerCheck\":%.1f,\"checkMs\":%.0f,\"deregisterMs\":%s,\"reregisterMs\":%s,\"met\":%s}%n",
                        consumers, interval, avgCalls, avgMs, out, back, maxOut <= interval * 1000L + Math.round(avgMs) + 1000);
            }
        }
    }

    private static StaticCredentialsProvider creds() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
    }

    private static void awaitTargets(ElasticLoadBalancingV2Client elb, String arn,
            java.util.function.Predicate<Set<String>> done, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (System.nanoTime() < deadline) {
            Set<String> targets = elb.describeTargetHealth(b -> b.targetGroupArn(arn)).targetHealthDescriptions().stream()
                    .filter(d -> d.targetHealth().state() != TargetHealthStateEnum.DRAINING)
                    .map(d -> d.target().id() + ":" + d.target().port()).collect(Collectors.toSet());
            if (done.test(targets)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("the target group did not change within " + timeoutMs + " ms");
    }

    private static JsonNode awaitState(ServiceProcess app, java.util.function.Predicate<JsonNode> done, long timeoutMs)
            throws Exception {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            String body = HTTP.send(HttpRequest.newBuilder(app.uri("/consumer-pool")).header("Authorization", auth).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            last = JSON.readTree(body);
            if (last.path("consumers").size() > 0 && done.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("GET /consumer-pool did not reach the expected state: " + last);
    }
}
