package io.shiftwork.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.redshift.RedshiftClient;

/** The launcher and the extension's own surface: the control endpoint and the hooks sent to the local Redshift. */
class MotoServerTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static MotoServer moto;
    static HttpServer receiver;
    static final List<String> received = new CopyOnWriteArrayList<>();
    static RedshiftClient redshift;

    @BeforeAll
    static void start() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/_emulator/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(exchange.getRequestURI().getPath() + " " + body);
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        moto = MotoServer.start(Path.of("target", "moto-server-test").toAbsolutePath());
        redshift = RedshiftClient.builder().endpointOverride(moto.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"))).build();
    }

    @AfterAll
    static void stop() {
        if (redshift != null) {
            redshift.close();
        }
        if (moto != null) {
            moto.close();
        }
        receiver.stop(0);
    }

    @Test
    void settingsSurviveAResetAndBadSettingsAreRefusedWithJson() throws Exception {
        moto.configure(Map.of("transitionSeconds", 0.3, "snapshotSeconds", 0.2));
        moto.reset();
        Map<?, ?> settings = JSON.readValue(moto.settings(), Map.class);
        assertEquals(0.3, ((Number) settings.get("transitionSeconds")).doubleValue());
        assertEquals(0.2, ((Number) settings.get("snapshotSeconds")).doubleValue());

        HttpResponse<String> bad = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(moto.endpoint() + "/_shiftwork/config")).POST(HttpRequest.BodyPublishers.ofString(
                "{\"transitionSeconds\": -1}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, bad.statusCode());
        assertTrue(JSON.readTree(bad.body()).path("error").asText().contains("transitionSeconds"), bad.body());
        HttpResponse<String> unknown = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(moto.endpoint() + "/_shiftwork/config")).POST(HttpRequest.BodyPublishers.ofString(
                "{\"transitionSecs\": 1}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, unknown.statusCode());
        assertTrue(unknown.body().contains("transitionSecs"), unknown.body());
    }

    @Test
    void anAvailableClusterTakesAnAutomatedSnapshotEveryAutomatedSnapshotSeconds() {
        moto.configure(Map.of("transitionSeconds", 0.2, "snapshotSeconds", 0.1, "automatedSnapshotSeconds", 1.0));
        try {
            redshift.createCluster(b -> b.clusterIdentifier("periodic").nodeType("ra3.xlplus").masterUsername("admin")
                    .masterUserPassword("Passw0rd-not-secret").numberOfNodes(2));
            long deadline = System.nanoTime() + 20_000_000_000L;
            int automated;
            do {
                MotoServer.sleep(300);
                automated = redshift.describeClusterSnapshots(b -> b.clusterIdentifier("periodic").snapshotType("automated"))
                        .snapshots().size();
            } while (automated < 3 && System.nanoTime() < deadline);
            assertTrue(automated >= 3, "one at creation, then one a second: " + automated);
        } finally {
            moto.configure(Map.of("automatedSnapshotSeconds", 28800.0));
        }
    }

    @Test
    void theLocalRedshiftIsToldOfSnapshotsCopiesDeletesRestoresAndClusterChanges() throws Exception {
        moto.configure(Map.of("transitionSeconds", 0.3, "snapshotSeconds", 0.2,
                "redshiftHook", "http://127.0.0.1:" + receiver.getAddress().getPort()));
        received.clear();
        redshift.createCluster(b -> b.clusterIdentifier("hooked").nodeType("ra3.xlplus").masterUsername("admin")
                .masterUserPassword("Passw0rd-not-secret").numberOfNodes(2));
        String first = received.stream().filter(r -> r.startsWith("/_emulator/cluster-snapshot ")).findFirst().orElseThrow();
        String automated = JSON.readTree(first.substring(first.indexOf(' ') + 1)).path("snapshotIdentifier").asText();
        MotoServer.sleep(700);
        redshift.createClusterSnapshot(b -> b.clusterIdentifier("hooked").snapshotIdentifier("manual-1"));
        redshift.copyClusterSnapshot(b -> b.sourceSnapshotIdentifier(automated).targetSnapshotIdentifier("copy-1"));
        MotoServer.sleep(400);
        redshift.restoreFromClusterSnapshot(b -> b.clusterIdentifier("restored").snapshotIdentifier("copy-1"));
        redshift.deleteClusterSnapshot(b -> b.snapshotIdentifier("manual-1"));
        redshift.pauseCluster(b -> b.clusterIdentifier("hooked"));

        List<String> expected = List.of(
                "/_emulator/cluster-changed {\"clusterIdentifier\": \"hooked\", \"status\": \"creating\"}",
                "/_emulator/cluster-snapshot {\"clusterIdentifier\": \"hooked\", \"snapshotIdentifier\": \"" + automated + "\"}",
                "/_emulator/cluster-snapshot {\"clusterIdentifier\": \"hooked\", \"snapshotIdentifier\": \"manual-1\"}",
                "/_emulator/copy-snapshot {\"sourceSnapshotIdentifier\": \"" + automated + "\", \"targetSnapshotIdentifier\": \"copy-1\"}",
                "/_emulator/cluster-changed {\"clusterIdentifier\": \"restored\", \"status\": \"creating\"}",
                "/_emulator/cluster-restore {\"snapshotIdentifier\": \"copy-1\", \"clusterIdentifier\": \"restored\"}",
                "/_emulator/delete-snapshot {\"snapshotIdentifier\": \"manual-1\"}",
                "/_emulator/cluster-changed {\"clusterIdentifier\": \"hooked\", \"status\": \"pausing\"}");
        // in the order of the calls: each hook is sent before its call answers
        assertEquals(expected, received.stream().filter(expected::contains).toList(), received.toString());
        assertTrue(received.stream().anyMatch(r -> r.startsWith("/_emulator/cluster-snapshot {\"clusterIdentifier\": \"hooked\"")
                && !r.contains(automated)), "the pause took a snapshot: " + received);
    }
}
