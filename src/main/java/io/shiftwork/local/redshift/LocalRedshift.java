package io.shiftwork.local.redshift;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The local Redshift: one HTTP endpoint on a free loopback port answering the Redshift Data API and the
 * Redshift Serverless API (AWS JSON 1.1, dispatched on X-Amz-Target), over a real PostgreSQL. Completion
 * events go to EventBridge and COPY/UNLOAD to S3 at the given AWS endpoint (moto).
 *
 * <p>
 * Test controls under {@code /_emulator/}: {@code POST faults} {"action": "fail|hang|delay|refuse", "pattern": regex,
 * "message", "seconds", "times", "code"}; {@code POST disarm} {"pattern"}; {@code POST throttle} {"rate": 0..1} or {"operation", "times"} (its next requests);
 * {@code POST settings} {"resultPageRows", "resultPageBytes", "maxActiveStatements", "restoreMillis", "workgroupDeleteMillis",
 * "clockOffsetSeconds", "statementsKept", "clusterStatusCache"}; {@code POST requests} {"statementName"} (how many
 * ExecuteStatements named it, refused ones included); {@code POST reset}; {@code GET health}.
 *
 * <p>
 * Hooks moto calls when its clusters change (JSON bodies): {@code cluster-snapshot} {"clusterIdentifier",
 * "snapshotIdentifier"}, {@code copy-snapshot} {"sourceSnapshotIdentifier", "targetSnapshotIdentifier"},
 * {@code delete-snapshot} {"snapshotIdentifier"}, {@code cluster-restore} {"snapshotIdentifier",
 * "clusterIdentifier"}, {@code cluster-changed} {"clusterIdentifier", "status"}.
 */
public final class LocalRedshift implements AutoCloseable {

    static {
        // The JDK server writes headers and body separately: without TCP_NODELAY, Nagle's algorithm and the
        // client's delayed ACK add ~40 ms to every call. Read once, when the server classes load.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final ObjectMapper json = new ObjectMapper();
    private final LocalPostgres pg;
    private final DataApiEmulator dataApi;
    private final ClusterStatuses clusters;
    private final ClusterSnapshots clusterSnapshots;
    private final ServerlessEmulator serverless;
    private final HttpServer server;
    private final ExecutorService httpThreads;
    private final S3Client s3;
    private final EventBridgeClient events;
    private final software.amazon.awssdk.services.sqs.SqsClient sqs;

    private LocalRedshift(LocalPostgres pg, URI awsEndpoint, String region) throws IOException {
        this.pg = pg;
        StaticCredentialsProvider creds = StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
        this.s3 = S3Client.builder().endpointOverride(awsEndpoint).region(Region.of(region)).credentialsProvider(creds)
                .forcePathStyle(true).httpClientBuilder(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder())
                .build();
        this.events = EventBridgeClient.builder().endpointOverride(awsEndpoint).region(Region.of(region))
                .credentialsProvider(creds)
                .httpClientBuilder(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder()).build();
        this.sqs = software.amazon.awssdk.services.sqs.SqsClient.builder().endpointOverride(awsEndpoint)
                .region(Region.of(region)).credentialsProvider(creds)
                .httpClientBuilder(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder()).build();
        this.clusters = new ClusterStatuses(awsEndpoint, region);
        this.clusterSnapshots = new ClusterSnapshots(pg);
        this.serverless = new ServerlessEmulator(pg, clusterSnapshots, clusters, region);
        this.dataApi = new DataApiEmulator(pg, s3, events, sqs, serverless, clusters, clusterSnapshots, region,
                Math.max(4, Runtime.getRuntime().availableProcessors() * 4));
        this.dataApi.secrets(new io.shiftwork.local.LocalSecrets(awsEndpoint, region));
        AtomicInteger n = new AtomicInteger();
        this.httpThreads = Executors.newFixedThreadPool(32, r -> {
            Thread t = new Thread(r, "local-redshift-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        server.setExecutor(httpThreads);
        server.createContext("/", this::serve);
        server.start();
        pg.setting(ProcedureCopies.URL_SETTING, ProcedureCopies.fetchCommand() + endpoint() + ProcedureCopies.PATH);
    }

    /** Starts PostgreSQL and the emulator; {@code awsEndpoint} is moto (EventBridge and S3). */
    public static LocalRedshift start(Path workDir, URI awsEndpoint, String region) {
        LocalPostgres pg = LocalPostgres.start(workDir);
        try {
            return new LocalRedshift(pg, awsEndpoint, region);
        } catch (IOException | RuntimeException e) {
            pg.close();
            throw new IllegalStateException("could not start the local Redshift: " + e.getMessage(), e);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public int postgresPort() {
        return pg.port();
    }

    public Faults faults() {
        return dataApi.faults();
    }

    public DataApiEmulator dataApi() {
        return dataApi;
    }

    /** true/false forces caching cluster statuses on or off; null: on once moto reports a change. */
    public void clusterStatusCache(Boolean on) {
        clusters.caching(on);
    }

    public ServerlessEmulator serverless() {
        return serverless;
    }

    public LocalPostgres postgres() {
        return pg;
    }

    /** Forgets statements, faults, serverless resources and every database. */
    public void reset() {
        dataApi.reset();
        serverless.reset();
        clusters.reset();
        clusterSnapshots.reset();
        pg.reset();
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path.startsWith(ProcedureCopies.PATH)) {
                serveCopySource(exchange, path.substring(ProcedureCopies.PATH.length()));
                return;
            }
            JsonNode body;
            try (InputStream in = exchange.getRequestBody()) {
                byte[] bytes = in.readAllBytes();
                body = bytes.length == 0 ? json.createObjectNode() : json.readTree(bytes);
            } catch (IOException e) {
                send(exchange, 400, error("SerializationException", "request body is not JSON: " + e.getMessage()), null);
                return;
            }
            if (path.startsWith("/_emulator/")) {
                try {
                    send(exchange, 200, admin(path.substring("/_emulator/".length()), body), null);
                } catch (AwsError e) {
                    send(exchange, e.status(), error(e.code(), e.getMessage()), null);
                } catch (IllegalArgumentException e) {
                    send(exchange, 400, error("BadRequest", e.getMessage()), null);
                } catch (IllegalStateException e) {
                    send(exchange, 500, error("InternalError", e.getMessage()), null);
                }
                return;
            }
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            if (target == null || !target.contains(".")) {
                send(exchange, 400, error("UnknownOperationException", "missing X-Amz-Target"), null);
                return;
            }
            String service = target.substring(0, target.indexOf('.'));
            String operation = target.substring(target.indexOf('.') + 1);
            try {
                JsonNode out = switch (service) {
                    case "RedshiftData" -> dataApi.handle(operation, body);
                    case "RedshiftServerless" -> serverless.handle(operation, body);
                    default -> throw new AwsError(400, "UnknownOperationException", "unknown service " + service);
                };
                send(exchange, 200, out, null);
            } catch (AwsError e) {
                ObjectNode err = error(e.code(), e.getMessage());
                e.fields().forEach(err::put);
                send(exchange, e.status(), err, e.code());
            } catch (RuntimeException e) {
                send(exchange, 500, error("InternalServerException", String.valueOf(e.getMessage())), "InternalServerException");
            }
        }
    }

    /** The source of a COPY running inside a procedure, as CSV, for PostgreSQL's COPY FROM PROGRAM (curl). */
    private void serveCopySource(HttpExchange exchange, String hex) throws IOException {
        byte[] bytes;
        int status;
        try {
            bytes = dataApi.copySource(hex).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            status = 200;
        } catch (RuntimeException e) {
            bytes = String.valueOf(e.getMessage()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            status = 400;
        }
        exchange.getResponseHeaders().set("Content-Type", "text/csv; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private JsonNode admin(String command, JsonNode body) {
        JsonNode hook = hook(command, body);
        if (hook != null) {
            return hook;
        }
        switch (command) {
            case "faults" -> faults().arm(Faults.Action.valueOf(body.path("action").asText("fail").toUpperCase()),
                    body.path("pattern").asText(".*"), body.path("message").asText(null), body.path("seconds").asDouble(0),
                    body.path("times").asInt(1), body.path("code").asText(null), body.path("workgroup").asText(null));
            case "disarm" -> {
                if (body.has("workgroup")) {
                    faults().disarmWorkgroup(body.get("workgroup").asText());
                } else {
                    faults().disarm(body.path("pattern").asText());
                }
            }
            case "workgroup-status" -> serverless.workgroupStatus(body.path("workgroup").asText(),
                    body.path("status").asText());
            case "throttle" -> {
                if (body.has("operation")) {
                    faults().throttleNext(body.get("operation").asText(), body.path("times").asInt(1));
                } else {
                    faults().throttle(body.path("rate").asDouble(0));
                }
            }
            case "settings" -> {
                if (body.has("resultPageRows")) {
                    dataApi.resultPageRows(body.get("resultPageRows").asInt());
                }
                if (body.has("resultPageBytes")) {
                    dataApi.resultPageBytes(body.get("resultPageBytes").asLong());
                }
                if (body.has("maxActiveStatements")) {
                    dataApi.maxActiveStatements(body.get("maxActiveStatements").asInt());
                }
                if (body.has("restoreMillis")) {
                    serverless.restoreMillis(body.get("restoreMillis").asLong());
                }
                if (body.has("workgroupDeleteMillis")) {
                    serverless.workgroupDeleteMillis(body.get("workgroupDeleteMillis").asLong());
                }
                if (body.has("statementsKept")) {
                    dataApi.statementsKept(body.get("statementsKept").asInt());
                }
                if (body.has("clockOffsetSeconds")) {
                    dataApi.clockOffset(java.time.Duration.ofSeconds(body.get("clockOffsetSeconds").asLong()));
                }
                if (body.has("clusterStatusCache")) {
                    JsonNode v = body.get("clusterStatusCache");
                    clusters.caching(v.isNull() || "auto".equals(v.asText()) ? null : v.asBoolean());
                }
            }
            case "reset" -> reset();
            case "requests" -> {
                String name = body.path("statementName").asText();
                return json.valueToTree(Map.of("statementName", name, "executeRequests", dataApi.executeRequests(name)));
            }
            case "health" -> {
                // answered below
            }
            default -> throw new AwsError(404, "NotFound", "unknown emulator command " + command);
        }
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("status", "UP");
        state.putAll(dataApi.stats());
        state.putAll(serverless.stats());
        state.putAll(clusterSnapshots.stats());
        state.put("cachedClusterStatuses", clusters.cachedCount());
        return json.valueToTree(state);
    }

    /** moto's reports of what happened to its clusters and snapshots; null when {@code command} is not a hook. */
    private JsonNode hook(String command, JsonNode body) {
        ObjectNode out = json.createObjectNode();
        java.util.List<String> databases;
        switch (command) {
            case "cluster-snapshot" -> {
                String cluster = identifier(body, "clusterIdentifier");
                String snapshot = identifier(body, "snapshotIdentifier");
                databases = clusterSnapshots.snapshot(cluster, snapshot);
                out.put("snapshotIdentifier", snapshot);
            }
            case "copy-snapshot" -> {
                String source = identifier(body, "sourceSnapshotIdentifier");
                String target = identifier(body, "targetSnapshotIdentifier");
                databases = clusterSnapshots.copy(source, target);
                out.put("snapshotIdentifier", target);
            }
            case "delete-snapshot" -> {
                String snapshot = identifier(body, "snapshotIdentifier");
                databases = clusterSnapshots.delete(snapshot);
                out.put("snapshotIdentifier", snapshot);
            }
            case "cluster-restore" -> {
                String snapshot = identifier(body, "snapshotIdentifier");
                String cluster = identifier(body, "clusterIdentifier");
                databases = clusterSnapshots.restore(snapshot, cluster);
                clusters.changed(cluster);
                out.put("clusterIdentifier", cluster);
            }
            case "cluster-changed" -> {
                String cluster = identifier(body, "clusterIdentifier");
                clusters.changed(cluster);
                String status = body.path("status").asText("");
                out.put("clusterIdentifier", cluster);
                out.put("status", status);
                if (status.equals("deleting") || status.equals("final-snapshot")) {
                    // moto sends the final snapshot's hook before this one, so the copy is already taken
                    clusterSnapshots.dropCluster(cluster).forEach(out.putArray("dropped")::add);
                }
                return out;
            }
            default -> {
                return null;
            }
        }
        databases.forEach(out.putArray("databases")::add);
        return out;
    }

    /**
     * A cluster or snapshot identifier from a hook: 1 to 255 letters, digits, hyphens or underscores, after an
     * optional {@code rs:} (AWS names automated snapshots {@code rs:<cluster>-<time>}).
     */
    private static String identifier(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new IllegalArgumentException(field + " is required");
        }
        if (!v.asText().matches("(rs:)?[A-Za-z0-9_-]{1,255}")) {
            throw new IllegalArgumentException(field + " '" + v.asText() + "' is not a valid identifier");
        }
        return v.asText();
    }

    private ObjectNode error(String code, String message) {
        ObjectNode err = json.createObjectNode();
        err.put("__type", code);
        err.put("message", message);
        return err;
    }

    private void send(HttpExchange exchange, int status, JsonNode body, String errorType) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        exchange.getResponseHeaders().set("x-amzn-RequestId", java.util.UUID.randomUUID().toString());
        if (errorType != null) {
            exchange.getResponseHeaders().set("x-amzn-ErrorType", errorType);
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        httpThreads.shutdownNow();
        dataApi.close();
        clusters.close();
        s3.close();
        events.close();
        sqs.close();
        pg.close();
    }
}
