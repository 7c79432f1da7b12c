package io.shiftwork.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.shiftwork.ServiceProcess;
import io.shiftwork.local.LocalAws;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.redshift.RedshiftClient;

/**
 * The snapshot manager over many clusters in moto: one schedule per cluster, a first run that snapshots them
 * all, then a tick where nothing is due. Prints wall time and AWS calls per cluster.
 * Usage: {@code bench/run snapshots [clusters]}.
 */
public final class SnapshotBench {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        int clusters = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        Path work = Files.createTempDirectory("shiftwork-snapshot-bench");
        try (LocalAws aws = LocalAws.start(Path.of("target", "emulators").toAbsolutePath());
                RedshiftClient redshift = RedshiftClient.builder().endpointOverride(aws.moto().endpoint()).region(Region.US_EAST_1)
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("l", "l")))
                        .httpClient(UrlConnectionHttpClient.create()).build()) {
            StringBuilder config = new StringBuilder();
            for (int i = 0; i < clusters; i++) {
                String id = String.format(Locale.ROOT, "cluster-%04d", i);
                redshift.createCluster(b -> b.clusterIdentifier(id).nodeType("ra3.xlplus").masterUsername("admin")
                        .masterUserPassword("Passw0rd-not-secret").numberOfNodes(2));
                config.append("shiftwork.snapshots.schedules.s").append(i).append(".target=").append(id).append('\n')
                        .append("shiftwork.snapshots.schedules.s").append(i).append(".interval=1 days\n")
                        .append("shiftwork.snapshots.schedules.s").append(i).append(".retention=7 days\n");
            }
            Files.createDirectories(work.resolve("config"));
            Files.writeString(work.resolve("config/application.properties"), config + "shiftwork.snapshots.scheduled=false\n"
                    + "shiftwork.snapshots.manual-snapshot-quota=1000\nquarkus.log.level=WARN\n");
            int port = ServiceProcess.freePort();
            Map<String, String> properties = new HashMap<>(aws.config());
            properties.put("shiftwork.bootstrap", "true");
            try (ServiceProcess app = ServiceProcess.start(work, port, properties, Map.of())) {
            auth = ServiceProcess.bearer(aws);
                Map<String, Double> m0 = metrics(port);
                long t0 = System.nanoTime();
                run(port);
                double first = (System.nanoTime() - t0) / 1e9;
                Map<String, Double> m1 = metrics(port);
                long t1 = System.nanoTime();
                run(port);
                double idle = (System.nanoTime() - t1) / 1e9;
                Map<String, Double> m2 = metrics(port);
                double firstCalls = sum(m1) - sum(m0);
                double idleCalls = sum(m2) - sum(m1);
                System.out.printf(Locale.ROOT, "snapshot manager, %d clusters in moto, %d cores%n", clusters,
                        Runtime.getRuntime().availableProcessors());
                System.out.printf(Locale.ROOT, "first tick (all due): %.1f s, %.2f AWS calls per cluster%n", first, firstCalls / clusters);
                System.out.printf(Locale.ROOT, "next tick (nothing due): %.1f s, %.2f AWS calls per cluster (target <= 3)%n", idle, idleCalls / clusters);
                System.out.printf(Locale.ROOT, "{\"bench\":\"snapshots\",\"clusters\":%d,\"dueSeconds\":%.1f,\"dueCallsPerCluster\":%.2f,"
                        + "\"idleSeconds\":%.1f,\"idleCallsPerCluster\":%.2f,\"met\":%s}%n", clusters, first, firstCalls / clusters, idle,
                        idleCalls / clusters, idleCalls / clusters <= 3);
            }
        }
    }

    private static double sum(Map<String, Double> m) {
        return m.entrySet().stream().filter(e -> e.getKey().startsWith("shiftwork_snapshots_aws_calls_total"))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    private static void run(int port) throws Exception {
        HttpResponse<String> r = HTTP.send(authorized(URI.create("http://127.0.0.1:" + port + "/pipelines/snapshots/runs"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        String id = JSON.readTree(r.body()).get("runId").asText();
        while (true) {
            String body = HTTP.send(authorized(URI.create("http://127.0.0.1:" + port + "/runs/" + id)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            String status = JSON.readTree(body).path("status").asText();
            if (status.equals("SUCCEEDED")) {
                return;
            }
            if (status.equals("FAILED")) {
                throw new IllegalStateException(body.substring(0, Math.min(2000, body.length())));
            }
            Thread.sleep(200);
        }
    }

    private static Map<String, Double> metrics(int port) throws Exception {
        String text = HTTP.send(authorized(URI.create("http://127.0.0.1:" + port + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> out = new HashMap<>();
        Matcher m = Pattern.compile("(?m)^(shiftwork_[^ ]+) ([0-9.eE+-]+)$").matcher(text);
        while (m.find()) {
            out.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return out;
    }

    /** The admin's token of the local user pool, taken when the service started. */
    private static volatile String auth;

    private static HttpRequest.Builder authorized(URI uri) {
        return HttpRequest.newBuilder(uri).header("Authorization", auth);
    }
}
