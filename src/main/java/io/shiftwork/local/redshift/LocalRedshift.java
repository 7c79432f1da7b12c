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
 * "message", "seconds", "times", "code"}; {@code POST disarm} {"pattern"}; {@code POST throttle} {"rate": 0..1}; {@code POST settings}
 * {"resultPageRows", "maxActiveStatements", "restoreMillis"}; {@code POST requests} {"statementName"} (how many
 * ExecuteStatements named it, refused ones included); {@code POST reset}; {@code GET health}.
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
        this.serverless = new ServerlessEmulator(pg, region);
        this.dataApi = new DataApiEmulator(pg, s3, events, sqs, serverless, region,
                Math.max(4, Runtime.getRuntime().availableProcessors() * 4));
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
                } catch (AwsError | IllegalArgumentException e) {
                    send(exchange, 400, error("BadRequest", e.getMessage()), null);
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
        switch (command) {
            case "faults" -> faults().arm(Faults.Action.valueOf(body.path("action").asText("fail").toUpperCase()),
                    body.path("pattern").asText(".*"), body.path("message").asText(null), body.path("seconds").asDouble(0),
                    body.path("times").asInt(1), body.path("code").asText(null));
            case "disarm" -> faults().disarm(body.path("pattern").asText());
            case "throttle" -> faults().throttle(body.path("rate").asDouble(0));
            case "settings" -> {
                if (body.has("resultPageRows")) {
                    dataApi.resultPageRows(body.get("resultPageRows").asInt());
                }
                if (body.has("maxActiveStatements")) {
                    dataApi.maxActiveStatements(body.get("maxActiveStatements").asInt());
                }
                if (body.has("restoreMillis")) {
                    serverless.restoreMillis(body.get("restoreMillis").asLong());
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
        return json.valueToTree(state);
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
        s3.close();
        events.close();
        sqs.close();
        pg.close();
    }
}
