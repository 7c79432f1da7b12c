package io.shiftwork.pauseresume;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An HTTP fake of Amazon Forecast and Forecast Query. No emulator exists for Forecast (moto has dataset groups
 * only), so this answers the operations Shiftwork's adapter calls in the JSON shapes of the API reference
 * (AWS JSON 1.1, X-Amz-Target AmazonForecast.* and AmazonForecastRuntime.QueryForecast), with jobs moving
 * CREATE_PENDING → CREATE_IN_PROGRESS → ACTIVE over successive Describe calls, ResourceAlreadyExistsException
 * for a second create of a name, and a switch to fail import jobs. Deletions are as strict as Forecast's: only a
 * resource that is ACTIVE or CREATE_FAILED may be deleted, and a predictor only once no forecast of it is left,
 * else ResourceInUseException; an unknown ARN is ResourceNotFoundException. An import copies its S3 file when it
 * turns ACTIVE (as Forecast does), so the file may be deleted afterwards. Its forecast: for each future 5-minute
 * slot, p50 the mean and the upper quantile the maximum of what the latest ACTIVE import held at that time of day.
 */
final class FakeAmazonForecast implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ARN = "arn:aws:forecast:us-east-1:123456789012:";

    private final HttpServer server;
    /** s3://bucket/key → its text: the fake reads the import file as Forecast would. */
    volatile Function<String, String> readS3 = path -> {
        throw new IllegalStateException("the test has not told the fake how to read S3");
    };
    /** Operation names in call order. */
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    /** name → resource (its JSON as Describe answers it) */
    private final Map<String, ObjectNode> resources = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, Integer> describes = Collections.synchronizedMap(new LinkedHashMap<>());
    volatile String failImportsWith;
    private final java.util.Set<String> failed = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** ARNs deleted, in order. */
    final List<String> deleted = Collections.synchronizedList(new ArrayList<>());
    /** import job ARN → the file's text, copied when the import turned ACTIVE */
    private final Map<String, String> imported = Collections.synchronizedMap(new LinkedHashMap<>());

    FakeAmazonForecast() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::serve);
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    long count(String operation) {
        synchronized (calls) {
            return calls.stream().filter(operation::equals).count();
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            JsonNode req = JSON.readTree(in.readAllBytes());
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String op = target.substring(target.indexOf('.') + 1);
            calls.add(op);
            ObjectNode out;
            try {
                out = handle(op, req);
            } catch (AlreadyExists e) {
                send(exchange, 400, JSON.createObjectNode().put("__type", "ResourceAlreadyExistsException")
                        .put("message", "A resource with the name " + e.getMessage() + " already exists"));
                return;
            } catch (Refused e) {
                send(exchange, 400, JSON.createObjectNode().put("__type", e.type).put("message", e.getMessage()));
                return;
            }
            send(exchange, 200, out);
        }
    }

    private static final class AlreadyExists extends RuntimeException {
        AlreadyExists(String name) {
            super(name);
        }
    }

    private static final class Refused extends RuntimeException {
        final String type;

        Refused(String type, String message) {
            super(message);
            this.type = type;
        }
    }

    /** Current status of a created resource: it moves on with each Describe (see {@link #describe}). */
    private String status(String arn) {
        int n = describes.getOrDefault(arn, 0);
        if (failed.contains(arn)) {
            return "CREATE_FAILED";
        }
        return n <= 1 ? "CREATE_PENDING" : n == 2 ? "CREATE_IN_PROGRESS" : "ACTIVE";
    }

    /** DeleteDatasetImportJob, DeleteForecast, DeletePredictor: only ACTIVE or CREATE_FAILED, a predictor without forecasts. */
    private void delete(String arn) {
        byArn(arn);
        String status = status(arn);
        if (!status.equals("ACTIVE") && !status.equals("CREATE_FAILED")) {
            throw new Refused("ResourceInUseException", "The resource " + arn + " is " + status
                    + ": only ACTIVE or CREATE_FAILED resources can be deleted");
        }
        synchronized (resources) {
            if (resources.values().stream().anyMatch(r -> r.get("kind").asText().equals("forecast")
                    && arn.equals(r.path("PredictorArn").asText()))) {
                throw new Refused("ResourceInUseException", "The predictor " + arn + " still has forecasts: delete them first");
            }
            resources.remove(arn.substring(ARN.length()));
        }
        imported.remove(arn);
        deleted.add(arn);
    }

    /** Names of the resources of a kind that exist now. */
    List<String> names(String kind) {
        synchronized (resources) {
            return resources.values().stream().filter(r -> r.get("kind").asText().equals(kind)).map(r -> r.get("name").asText())
                    .toList();
        }
    }

    private ObjectNode handle(String op, JsonNode req) throws IOException {
        ObjectNode out = JSON.createObjectNode();
        switch (op) {
            case "CreateDatasetGroup" -> out.put("DatasetGroupArn", create("dataset-group", req.get("DatasetGroupName").asText(), req));
            case "CreateDataset" -> out.put("DatasetArn", create("dataset", req.get("DatasetName").asText(), req));
            case "DescribeDatasetGroup" -> {
                ObjectNode g = byArn(req.get("DatasetGroupArn").asText());
                out.put("DatasetGroupArn", g.get("arn").asText()).put("Status", "ACTIVE");
                out.set("DatasetArns", g.has("DatasetArns") ? g.get("DatasetArns") : JSON.createArrayNode());
            }
            case "UpdateDatasetGroup" -> byArn(req.get("DatasetGroupArn").asText()).set("DatasetArns", req.get("DatasetArns"));
            case "CreateDatasetImportJob" -> out.put("DatasetImportJobArn",
                    create("dataset-import-job", req.get("DatasetImportJobName").asText(), req));
            case "CreateAutoPredictor" -> out.put("PredictorArn", create("predictor", req.get("PredictorName").asText(), req));
            case "CreateForecast" -> out.put("ForecastArn", create("forecast", req.get("ForecastName").asText(), req));
            case "DescribeDatasetImportJob" -> describe(out, req.get("DatasetImportJobArn").asText(), "DatasetImportJobArn", failImportsWith);
            case "DescribeAutoPredictor" -> describe(out, req.get("PredictorArn").asText(), "PredictorArn", null);
            case "DescribeForecast" -> describe(out, req.get("ForecastArn").asText(), "ForecastArn", null);
            case "ListDatasetGroups" -> list(out, "DatasetGroups", "dataset-group", "DatasetGroupName", "DatasetGroupArn");
            case "ListDatasets" -> list(out, "Datasets", "dataset", "DatasetName", "DatasetArn");
            case "ListDatasetImportJobs" -> list(out, "DatasetImportJobs", "dataset-import-job", "DatasetImportJobName", "DatasetImportJobArn");
            case "ListPredictors" -> list(out, "Predictors", "predictor", "PredictorName", "PredictorArn");
            case "ListForecasts" -> list(out, "Forecasts", "forecast", "ForecastName", "ForecastArn");
            case "DeleteDatasetImportJob" -> delete(req.get("DatasetImportJobArn").asText());
            case "DeleteForecast" -> delete(req.get("ForecastArn").asText());
            case "DeletePredictor" -> delete(req.get("PredictorArn").asText());
            case "QueryForecast" -> out.set("Forecast", query(req));
            default -> throw new IllegalArgumentException("the fake does not answer " + op);
        }
        return out;
    }

    private String create(String kind, String name, JsonNode req) {
        String key = kind + "/" + name;
        if (resources.containsKey(key)) {
            throw new AlreadyExists(name);
        }
        ObjectNode r = ((ObjectNode) req.deepCopy()).put("arn", ARN + key).put("kind", kind).put("name", name);
        resources.put(key, r);
        return ARN + key;
    }

    private ObjectNode byArn(String arn) {
        ObjectNode r = arn.startsWith(ARN) ? resources.get(arn.substring(ARN.length())) : null;
        if (r == null) {
            throw new Refused("ResourceNotFoundException", "We can't find a resource with the Amazon Resource Name " + arn);
        }
        return r;
    }

    /** Status moves on with each Describe: pending, in progress, then ACTIVE (or CREATE_FAILED). */
    private void describe(ObjectNode out, String arn, String arnField, String failWith) {
        ObjectNode r = byArn(arn);
        int n = describes.merge(arn, 1, Integer::sum);
        out.put(arnField, arn);
        if (n >= 3 && (failWith != null || failed.contains(arn))) {
            failed.add(arn);
            out.put("Status", "CREATE_FAILED").put("Message", failWith);
            return;
        }
        out.put("Status", status(arn));
        if (n == 3 && r.get("kind").asText().equals("dataset-import-job")) {
            imported.put(arn, readS3.apply(r.at("/DataSource/S3Config/Path").asText()));
        }
    }

    private void list(ObjectNode out, String field, String kind, String nameField, String arnField) {
        ArrayNode items = out.putArray(field);
        synchronized (resources) {
            resources.values().stream().filter(r -> r.get("kind").asText().equals(kind))
                    .forEach(r -> items.addObject().put(nameField, r.get("name").asText()).put(arnField, r.get("arn").asText()));
        }
    }

    private ObjectNode query(JsonNode req) {
        ObjectNode forecast = byArn(req.get("ForecastArn").asText());
        String item = req.path("Filters").path("item_id").asText();
        ObjectNode predictor = byArn(forecast.get("PredictorArn").asText());
        String groupArn = predictor.at("/DataConfig/DatasetGroupArn").asText();
        byArn(groupArn);
        String lastImport = null;
        synchronized (imported) {
            for (String text : imported.values()) {
                lastImport = text;
            }
        }
        if (lastImport == null) {
            throw new Refused("InvalidInputException", "nothing imported");
        }
        double[] sum = new double[288];
        int[] count = new int[288];
        double[] max = new double[288];
        Instant latest = Instant.EPOCH;
        DateTimeFormatter in = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
        for (String line : lastImport.split("\n")) {
            String[] f = line.split(",");
            if (f.length != 3 || !f[0].equals(item)) {
                continue;
            }
            // Forecast aggregates to the dataset's frequency: 5-minute buckets
            Instant at = Instant.ofEpochSecond(Math.floorDiv(LocalDateTime.parse(f[1], in).toEpochSecond(ZoneOffset.UTC), 300) * 300);
            int slot = (int) (at.getEpochSecond() % 86400 / 300);
            double v = Double.parseDouble(f[2]);
            sum[slot] += v;
            count[slot]++;
            max[slot] = Math.max(max[slot], v);
            latest = at.isAfter(latest) ? at : latest;
        }
        ObjectNode result = JSON.createObjectNode();
        ObjectNode predictions = result.putObject("Predictions");
        DateTimeFormatter outFormat = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");
        for (JsonNode type : forecast.get("ForecastTypes")) {
            String key = "p" + new java.math.BigDecimal(type.asText()).movePointRight(2).stripTrailingZeros().toPlainString();
            boolean median = type.asText().equals("0.50");
            ArrayNode points = predictions.putArray(key);
            Instant t = latest.plusSeconds(300);
            for (int i = 0; i < 288; i++, t = t.plusSeconds(300)) {
                int slot = (int) (t.getEpochSecond() % 86400 / 300);
                if (count[slot] == 0) {
                    continue;
                }
                points.addObject().put("Timestamp", outFormat.format(LocalDateTime.ofInstant(t, ZoneOffset.UTC)))
                        .put("Value", median ? sum[slot] / count[slot] : max[slot]);
            }
        }
        return result;
    }

    private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        exchange.getResponseHeaders().set("x-amzn-RequestId", java.util.UUID.randomUUID().toString());
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
