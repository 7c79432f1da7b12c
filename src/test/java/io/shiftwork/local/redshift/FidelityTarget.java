package io.shiftwork.local.redshift;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.shiftwork.local.LocalAws;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.redshift.RedshiftClient;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.redshiftdata.model.DescribeStatementResponse;
import software.amazon.awssdk.services.redshiftserverless.RedshiftServerlessClient;

/**
 * Where the fidelity tests run: the local emulators (LocalAws, started once per test JVM), or a real AWS account
 * when {@code SHIFTWORK_FIDELITY_AWS=true} and AWS credentials are present. Against AWS the clients use the default
 * credential and region chains and the tests use existing resources named by environment variables:
 * {@code SHIFTWORK_FIDELITY_CLUSTER} (an available cluster), {@code SHIFTWORK_FIDELITY_DB_USER} (default awsuser),
 * {@code SHIFTWORK_FIDELITY_DATABASE} (default dev), {@code SHIFTWORK_FIDELITY_PAUSED_CLUSTER} (a paused cluster);
 * Serverless tests, which create and delete a namespace and workgroup, also need
 * {@code SHIFTWORK_FIDELITY_SERVERLESS=true}. A test that needs a resource that is not named, or an emulator
 * switch, is skipped against AWS.
 */
final class FidelityTarget {

    private static FidelityTarget shared;

    final boolean aws;
    final RedshiftDataClient data;
    final RedshiftClient redshift;
    final RedshiftServerlessClient serverless;
    final String database;
    final String dbUser;
    private final LocalAws local;
    private final HttpClient http = HttpClient.newHttpClient();

    private FidelityTarget(LocalAws local) {
        this.local = local;
        this.aws = local == null;
        if (aws) {
            data = RedshiftDataClient.create();
            redshift = RedshiftClient.create();
            serverless = RedshiftServerlessClient.create();
            database = env("SHIFTWORK_FIDELITY_DATABASE", "dev");
            dbUser = env("SHIFTWORK_FIDELITY_DB_USER", "awsuser");
        } else {
            StaticCredentialsProvider creds = StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
            Region region = Region.of(LocalAws.REGION);
            URI endpoint = local.redshift().endpoint();
            data = RedshiftDataClient.builder().endpointOverride(endpoint).region(region).credentialsProvider(creds)
                    .httpClient(UrlConnectionHttpClient.create()).build();
            serverless = RedshiftServerlessClient.builder().endpointOverride(endpoint).region(region).credentialsProvider(creds)
                    .httpClient(UrlConnectionHttpClient.create()).build();
            redshift = RedshiftClient.builder().endpointOverride(local.moto().endpoint()).region(region)
                    .credentialsProvider(creds).httpClient(UrlConnectionHttpClient.create()).build();
            database = "dev";
            dbUser = "awsuser";
        }
    }

    static synchronized FidelityTarget get() {
        if (shared == null) {
            if (againstAws()) {
                shared = new FidelityTarget(null);
            } else {
                LocalAws local = LocalAws.start(Path.of("target", "emulators").toAbsolutePath());
                Runtime.getRuntime().addShutdownHook(new Thread(local::close));
                shared = new FidelityTarget(local);
            }
        }
        return shared;
    }

    /** The opt-in flag and some AWS credentials. */
    static boolean againstAws() {
        if (!"true".equalsIgnoreCase(System.getenv("SHIFTWORK_FIDELITY_AWS"))) {
            return false;
        }
        return System.getenv("AWS_ACCESS_KEY_ID") != null || System.getenv("AWS_PROFILE") != null
                || System.getenv("AWS_WEB_IDENTITY_TOKEN_FILE") != null
                || Files.exists(Path.of(System.getProperty("user.home"), ".aws", "credentials"));
    }

    /** An available provisioned cluster: a new one in moto, or SHIFTWORK_FIDELITY_CLUSTER. */
    String availableCluster() {
        if (aws) {
            String c = System.getenv("SHIFTWORK_FIDELITY_CLUSTER");
            assumeTrue(c != null, "SHIFTWORK_FIDELITY_CLUSTER names no cluster");
            return c;
        }
        String c = "fid-" + UUID.randomUUID().toString().substring(0, 8);
        local.createClusters(c);
        return c;
    }

    /** A paused cluster: a new one paused in moto, or SHIFTWORK_FIDELITY_PAUSED_CLUSTER. */
    String pausedCluster() {
        if (aws) {
            String c = System.getenv("SHIFTWORK_FIDELITY_PAUSED_CLUSTER");
            assumeTrue(c != null, "SHIFTWORK_FIDELITY_PAUSED_CLUSTER names no cluster");
            return c;
        }
        String c = availableCluster();
        redshift.pauseCluster(b -> b.clusterIdentifier(c));
        return c;
    }

    void requireServerless() {
        assumeTrue(!aws || "true".equalsIgnoreCase(System.getenv("SHIFTWORK_FIDELITY_SERVERLESS")),
                "SHIFTWORK_FIDELITY_SERVERLESS is not true");
    }

    /** The local emulators, for tests of a rule that needs an emulator switch (skipped against AWS). */
    LocalAws local() {
        assumeTrue(!aws, "needs an emulator switch");
        return local;
    }

    /** POST /_emulator/{command} on the local Redshift; the status and body. */
    HttpResponse<String> admin(String command, String body) {
        try {
            return http.send(HttpRequest.newBuilder(local().redshift().endpoint().resolve("/_emulator/" + command))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    DescribeStatementResponse awaitDone(String id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(aws ? 300 : 20).toNanos();
        while (true) {
            DescribeStatementResponse d = data.describeStatement(b -> b.id(id));
            if (List.of("FINISHED", "FAILED", "ABORTED").contains(d.statusAsString())) {
                return d;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("statement " + id + " still " + d.statusAsString());
            }
            try {
                Thread.sleep(aws ? 500 : 10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
