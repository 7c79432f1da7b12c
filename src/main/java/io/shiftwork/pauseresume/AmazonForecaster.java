package io.shiftwork.pauseresume;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.forecast.ForecastClient;
import software.amazon.awssdk.services.forecast.model.AttributeType;
import software.amazon.awssdk.services.forecast.model.DatasetType;
import software.amazon.awssdk.services.forecast.model.Domain;
import software.amazon.awssdk.services.forecast.model.ResourceAlreadyExistsException;
import software.amazon.awssdk.services.forecast.model.ResourceInUseException;
import software.amazon.awssdk.services.forecast.model.ResourceNotFoundException;
import software.amazon.awssdk.services.forecastquery.ForecastqueryClient;
import software.amazon.awssdk.services.forecastquery.model.DataPoint;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Amazon Forecast behind the {@link Forecaster} interface, for accounts that still have it (it takes no new
 * customers since July 2024). The original's two flows: training once per cluster (CreateDatasetGroup,
 * CreateDataset, CreateDatasetImportJob, CreateAutoPredictor, each job polled with capped backoff) and each
 * prediction (a fresh import of the whole history — Forecast uses only the latest import — then
 * CreateForecast and QueryForecast). Resources are named after the cluster, so a restart finds and reuses
 * them instead of creating twice; each plan deletes the forecast, import jobs and import files earlier plans left. Blocking: Forecast's jobs take minutes to hours, so this runs on the daily
 * planning thread, bounded by {@code timeout}.
 */
public class AmazonForecaster implements Forecaster {

    /** Where and how: the import role Forecast assumes, the bucket the import files go to, polling. */
    public record Settings(String roleArn, String bucket, double quantile, Duration pollInitial, Duration pollMax,
            Duration timeout) {
    }

    /** Waits between polls; tests pass one that does not sleep. */
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private static final Logger LOG = Logger.getLogger(AmazonForecaster.class);
    private static final DateTimeFormatter CSV_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");
    private static final int HORIZON_POINTS = (int) (Duration.ofDays(1).toSeconds() / STEP.toSeconds());

    private final ForecastClient forecast;
    private final ForecastqueryClient query;
    private final S3Client s3;
    private final Settings settings;
    private final Sleeper sleeper;

    public AmazonForecaster(ForecastClient forecast, ForecastqueryClient query, S3Client s3, Settings settings, Sleeper sleeper) {
        this.forecast = forecast;
        this.query = query;
        this.s3 = s3;
        this.settings = settings;
        this.sleeper = sleeper;
    }

    /** Forecast's names: a letter, then letters, digits and underscores, at most 63. */
    static String baseName(String clusterId) {
        String name = "shiftwork_" + clusterId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        return name.length() > 48 ? name.substring(0, 48) : name;
    }

    /** The quantile's key in QueryForecast's predictions: 0.95 → p95, 0.5 → p50. */
    static String predictionKey(double quantile) {
        return "p" + new java.math.BigDecimal(Double.toString(quantile * 100)).stripTrailingZeros().toPlainString();
    }

    @Override
    public List<ForecastPoint> forecast(String clusterId, List<Sample> history, Instant from, Duration horizon) {
        String base = baseName(clusterId);
        String stamp = STAMP.format(LocalDateTime.ofInstant(from, ZoneOffset.UTC));
        String groupArn = datasetGroup(base);
        String datasetArn = dataset(base, groupArn);

        String key = "forecast-import/" + clusterId + "/" + stamp + ".csv";
        s3.putObject(b -> b.bucket(settings.bucket()).key(key).contentType("text/csv"),
                RequestBody.fromString(importCsv(clusterId, history, from)));
        String importArn = create(() -> forecast.createDatasetImportJob(b -> b.datasetImportJobName(base + "_" + stamp)
                .datasetArn(datasetArn).timestampFormat("yyyy-MM-dd HH:mm:ss")
                .dataSource(d -> d.s3Config(s -> s.path("s3://" + settings.bucket() + "/" + key).roleArn(settings.roleArn()))))
                .datasetImportJobArn(), () -> find(base + "_" + stamp, next -> {
                    var r = forecast.listDatasetImportJobs(b -> b.nextToken(next));
                    return page(r.nextToken(), r.datasetImportJobs(), s -> s.datasetImportJobName(), s -> s.datasetImportJobArn());
                }));
        await("dataset import job " + base + "_" + stamp, () -> {
            var d = forecast.describeDatasetImportJob(b -> b.datasetImportJobArn(importArn));
            return new Status(d.status(), d.message());
        });

        String predictorArn = predictor(base, groupArn);
        String forecastName = base + "_" + stamp;
        String forecastArn = create(() -> forecast.createForecast(b -> b.forecastName(forecastName).predictorArn(predictorArn)
                .forecastTypes(types())).forecastArn(), () -> find(forecastName, next -> {
                    var r = forecast.listForecasts(b -> b.nextToken(next));
                    return page(r.nextToken(), r.forecasts(), s -> s.forecastName(), s -> s.forecastArn());
                }));
        await("forecast " + forecastName, () -> {
            var d = forecast.describeForecast(b -> b.forecastArn(forecastArn));
            return new Status(d.status(), d.message());
        });

        Map<String, List<DataPoint>> predictions = query.queryForecast(b -> b.forecastArn(forecastArn)
                .filters(Map.of("item_id", clusterId))).forecast().predictions();
        List<ForecastPoint> points = points(predictions, from, horizon);
        cleanUp(clusterId, base, base + "_" + stamp, key);
        return points;
    }

    /**
     * Deletes what earlier plans left behind once this one has its forecast: their forecasts, dataset import jobs
     * (Forecast keeps only the data of the latest import) and import files, so the quotas (forecasts and import jobs
     * per account) and the bucket do not fill up. The current plan's own set stays. A resource Forecast still
     * refuses to delete (ResourceInUseException: not yet ACTIVE or CREATE_FAILED) is left to the next plan; a
     * failed clean-up never fails the plan. The predictor is trained once and reused, so it is not deleted.
     */
    private void cleanUp(String clusterId, String base, String current, String currentKey) {
        java.util.regex.Pattern ours = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(base) + "_\\d{14}");
        try {
            for (String arn : all(next -> {
                var r = forecast.listForecasts(b -> b.nextToken(next));
                return page(r.nextToken(), r.forecasts(), s -> s.forecastName(), s -> s.forecastArn());
            }, name -> ours.matcher(name).matches() && !name.equals(current))) {
                delete("forecast " + arn, () -> forecast.deleteForecast(b -> b.forecastArn(arn)));
            }
            for (String arn : all(next -> {
                var r = forecast.listDatasetImportJobs(b -> b.nextToken(next));
                return page(r.nextToken(), r.datasetImportJobs(), s -> s.datasetImportJobName(), s -> s.datasetImportJobArn());
            }, name -> ours.matcher(name).matches() && !name.equals(current))) {
                delete("dataset import job " + arn, () -> forecast.deleteDatasetImportJob(b -> b.datasetImportJobArn(arn)));
            }
            String prefix = "forecast-import/" + clusterId + "/";
            s3.listObjectsV2Paginator(b -> b.bucket(settings.bucket()).prefix(prefix)).contents().stream()
                    .map(o -> o.key()).filter(k -> !k.equals(currentKey) && k.indexOf('/', prefix.length()) < 0)
                    .forEach(k -> s3.deleteObject(b -> b.bucket(settings.bucket()).key(k)));
        } catch (RuntimeException e) {
            LOG.warnf("Amazon Forecast clean-up for %s failed, retried at the next plan: %s", clusterId, e.toString());
        }
    }

    private static void delete(String what, Runnable delete) {
        try {
            delete.run();
        } catch (ResourceInUseException e) {
            LOG.infof("Amazon Forecast %s not deleted yet (in use): %s", what, e.awsErrorDetails() == null ? e.getMessage()
                    : e.awsErrorDetails().errorMessage());
        } catch (ResourceNotFoundException e) {
            // deleted meanwhile
        }
    }

    /** Every ARN whose name matches, over all pages. */
    private static List<String> all(Function<String, Page> list, java.util.function.Predicate<String> name) {
        List<String> arns = new ArrayList<>();
        String next = null;
        do {
            Page p = list.apply(next);
            p.arnsByName().forEach((n, arn) -> {
                if (name.test(n)) {
                    arns.add(arn);
                }
            });
            next = p.next();
        } while (next != null);
        return arns;
    }

    private List<String> types() {
        List<String> types = new ArrayList<>(List.of("0.50"));
        String upper = String.format(Locale.ROOT, "%.2f", settings.quantile());
        if (!types.contains(upper)) {
            types.add(upper);
        }
        return types;
    }

    private String datasetGroup(String base) {
        return create(() -> forecast.createDatasetGroup(b -> b.datasetGroupName(base).domain(Domain.CUSTOM)).datasetGroupArn(),
                () -> find(base, next -> {
                    var r = forecast.listDatasetGroups(b -> b.nextToken(next));
                    return page(r.nextToken(), r.datasetGroups(), s -> s.datasetGroupName(), s -> s.datasetGroupArn());
                }));
    }

    private String dataset(String base, String groupArn) {
        String name = base + "_cpu";
        String arn = create(() -> forecast.createDataset(b -> b.datasetName(name).domain(Domain.CUSTOM)
                .datasetType(DatasetType.TARGET_TIME_SERIES).dataFrequency("5min")
                .schema(s -> s.attributes(
                        a -> a.attributeName("item_id").attributeType(AttributeType.STRING),
                        a -> a.attributeName("timestamp").attributeType(AttributeType.TIMESTAMP),
                        a -> a.attributeName("target_value").attributeType(AttributeType.FLOAT))))
                .datasetArn(), () -> find(name, next -> {
                    var r = forecast.listDatasets(b -> b.nextToken(next));
                    return page(r.nextToken(), r.datasets(), s -> s.datasetName(), s -> s.datasetArn());
                }));
        List<String> attached = forecast.describeDatasetGroup(b -> b.datasetGroupArn(groupArn)).datasetArns();
        if (!attached.contains(arn)) {
            forecast.updateDatasetGroup(b -> b.datasetGroupArn(groupArn).datasetArns(arn));
        }
        return arn;
    }

    private String predictor(String base, String groupArn) {
        String name = base + "_predictor";
        String arn = create(() -> forecast.createAutoPredictor(b -> b.predictorName(name).forecastHorizon(HORIZON_POINTS)
                .forecastFrequency("5min").forecastTypes(types()).dataConfig(d -> d.datasetGroupArn(groupArn))).predictorArn(),
                () -> find(name, next -> {
                    var r = forecast.listPredictors(b -> b.nextToken(next));
                    return page(r.nextToken(), r.predictors(), s -> s.predictorName(), s -> s.predictorArn());
                }));
        await("predictor " + name, () -> {
            var d = forecast.describeAutoPredictor(b -> b.predictorArn(arn));
            return new Status(d.status(), d.message());
        });
        return arn;
    }

    /** The history without a header, gaps left out (Forecast fills them as missing, never as zero load). */
    static String importCsv(String clusterId, List<Sample> history, Instant before) {
        StringBuilder csv = new StringBuilder();
        for (Sample s : history) {
            if (s.at().isBefore(before) && !Double.isNaN(s.cpu())) {
                csv.append(clusterId).append(',').append(CSV_TIME.format(LocalDateTime.ofInstant(s.at(), ZoneOffset.UTC)))
                        .append(',').append(s.cpu()).append('\n');
            }
        }
        return csv.toString();
    }

    private List<ForecastPoint> points(Map<String, List<DataPoint>> predictions, Instant from, Duration horizon) {
        List<DataPoint> median = predictions.getOrDefault("p50", List.of());
        List<DataPoint> upper = predictions.get(predictionKey(settings.quantile()));
        if (upper == null) {
            throw new IllegalStateException("QueryForecast returned no " + predictionKey(settings.quantile())
                    + " predictions (got " + predictions.keySet() + ")");
        }
        Map<Instant, Double> med = new HashMap<>();
        median.forEach(p -> med.put(instant(p.timestamp()), p.value()));
        Map<Instant, Double> up = new HashMap<>();
        upper.forEach(p -> up.put(instant(p.timestamp()), p.value()));
        List<ForecastPoint> out = new ArrayList<>();
        Instant end = from.plus(horizon);
        Instant first = Instant.ofEpochSecond(Math.floorDiv(from.getEpochSecond(), STEP.toSeconds()) * STEP.toSeconds());
        for (Instant t = first; t.isBefore(end); t = t.plus(STEP)) {
            Double u = up.get(t);
            // a slot Forecast said nothing about is not idle
            out.add(new ForecastPoint(t, med.getOrDefault(t, Double.NaN), u == null ? Double.POSITIVE_INFINITY : u));
        }
        return out;
    }

    private static Instant instant(String timestamp) {
        String t = timestamp.endsWith("Z") ? timestamp.substring(0, timestamp.length() - 1) : timestamp;
        long seconds = LocalDateTime.parse(t).toEpochSecond(ZoneOffset.UTC);
        return Instant.ofEpochSecond(Math.floorDiv(seconds, STEP.toSeconds()) * STEP.toSeconds());
    }

    // ---- creation that survives restarts, and polling

    private record Status(String status, String message) {
    }

    private record Page(String next, Map<String, String> arnsByName) {
    }

    /** One page of a List* answer, by name: Forecast finds resources by ARN only. */
    private static <T> Page page(String next, List<T> items, Function<T, String> name, Function<T, String> arn) {
        Map<String, String> arns = new HashMap<>();
        items.forEach(i -> arns.put(name.apply(i), arn.apply(i)));
        return new Page(next, arns);
    }

    private static String create(Supplier<String> create, Supplier<String> existing) {
        try {
            return create.get();
        } catch (ResourceAlreadyExistsException e) {
            return existing.get();
        }
    }

    private static String find(String name, Function<String, Page> list) {
        String next = null;
        do {
            Page p = list.apply(next);
            String arn = p.arnsByName().get(name);
            if (arn != null) {
                return arn;
            }
            next = p.next();
        } while (next != null);
        throw new IllegalStateException("Amazon Forecast said " + name + " exists but does not list it");
    }

    private void await(String what, Supplier<Status> describe) {
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        Duration wait = settings.pollInitial();
        while (true) {
            Status s = describe.get();
            if ("ACTIVE".equals(s.status())) {
                return;
            }
            if (s.status() != null && s.status().endsWith("FAILED")) {
                throw new IllegalStateException("Amazon Forecast " + what + " " + s.status()
                        + (s.message() == null ? "" : ": " + s.message()));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Amazon Forecast " + what + " still " + s.status() + " after " + settings.timeout());
            }
            LOG.debugf("Amazon Forecast %s is %s; next look in %s", what, s.status(), wait);
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for Amazon Forecast " + what, e);
            }
            wait = wait.multipliedBy(2).compareTo(settings.pollMax()) > 0 ? settings.pollMax() : wait.multipliedBy(2);
        }
    }

    /** For the config check at start-up: what is missing for this forecaster, if anything. */
    static Optional<String> missing(Optional<String> roleArn) {
        return roleArn.isPresent() ? Optional.empty()
                : Optional.of("shiftwork.pause-resume.amazon-forecast.role-arn is required with "
                        + "shiftwork.pause-resume.forecaster=amazon-forecast (the role Forecast assumes to read the history bucket)");
    }
}
