package io.shiftwork.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

import io.shiftwork.ServiceProcess;
import io.shiftwork.local.LocalAws;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.redshiftdata.model.StatusString;

/**
 * Routed reads: what {@code POST /queries} adds on top of the Data API round trip it makes. The packaged service
 * with the local emulators and two consumer clusters; the same read (100 rows, one page) alternately sent straight
 * to the Data API (ExecuteStatement as the read-only user, DescribeStatement on the service's poll schedule,
 * GetStatementResult) and through {@code POST /queries} (sign-in, strict JSON, the read-only check, the consumer
 * choice, the same three calls, JSON out). Prints p50/p99 of both and of the per-pair difference.
 * Usage: {@code bench/run queries [reads]}.
 */
public final class QueriesBench {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String SQL = "SELECT n, label FROM public.bench_rows WHERE n > :from ORDER BY n LIMIT 100";
    private static final long POLL_NANOS = Duration.ofMillis(5).toNanos();
    private static final long MAX_POLL_NANOS = Duration.ofMillis(200).toNanos();

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        Path work = Files.createTempDirectory("shiftwork-bench");
        try (LocalAws aws = LocalAws.start(Path.of("target", "emulators").toAbsolutePath());
                RedshiftDataClient data = RedshiftDataClient.builder()
                        .endpointOverride(aws.redshift().endpoint()).region(Region.US_EAST_1)
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("l", "l")))
                        .httpClient(ApacheHttpClient.builder().build())
                        .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD)).build()) {
            aws.createClusters("bench-a", "bench-b");
            admin(data, "bench-a", "CREATE USER bench_reader PASSWORD 'Bench-only-0'");
            for (String cluster : new String[] { "bench-a", "bench-b" }) {
                admin(data, cluster, "CREATE TABLE public.bench_rows (n int, label varchar(32))");
                admin(data, cluster, "INSERT INTO public.bench_rows SELECT g, 'row ' || g FROM generate_series(1, 1000) g");
                admin(data, cluster, "GRANT SELECT ON public.bench_rows TO bench_reader");
            }
            int port = ServiceProcess.freePort();
            Map<String, String> properties = new java.util.HashMap<>(aws.config());
            properties.putAll(Map.of("shiftwork.bootstrap", "true", "quarkus.log.level", "WARN",
                    "shiftwork.queries.consumers", "cluster:bench-a,cluster:bench-b",
                    "shiftwork.queries.db-user", "bench_reader",
                    // the emulator has no quota
                    "shiftwork.queries.execute-rate", "100000"));
            try (ServiceProcess app = ServiceProcess.start(work, port, properties, Map.of())) {
                String auth = ServiceProcess.bearer(aws);
                for (int i = 0; i < 50; i++) {
                    direct(data, "bench-a", i);
                    routed(port, auth, i);
                }
                long[] direct = new long[n];
                long[] routed = new long[n];
                long[] overhead = new long[n];
                for (int i = 0; i < n; i++) {
                    direct[i] = direct(data, i % 2 == 0 ? "bench-a" : "bench-b", i);
                    routed[i] = routed(port, auth, i);
                    overhead[i] = routed[i] - direct[i];
                }
                Percentiles d = new Percentiles(direct);
                Percentiles r = new Percentiles(routed);
                Percentiles o = new Percentiles(overhead);
                System.out.printf(Locale.ROOT, "routed reads, %d reads of 100 rows, one at a time, %d cores%n", n,
                        Runtime.getRuntime().availableProcessors());
                System.out.printf(Locale.ROOT, "Data API round trip (Execute + Describe polls + GetStatementResult): p50 %s ms, p99 %s ms%n",
                        Percentiles.ms(d.at(50)), Percentiles.ms(d.at(99)));
                System.out.printf(Locale.ROOT, "POST /queries: p50 %s ms, p99 %s ms; overhead p50 %s ms, p99 %s ms (per pair)%n",
                        Percentiles.ms(r.at(50)), Percentiles.ms(r.at(99)), Percentiles.ms(r.at(50) - d.at(50)),
                        Percentiles.ms(o.at(99)));
                System.out.printf(Locale.ROOT, "{\"bench\":\"queries\",\"reads\":%d,\"dataApiP50Ms\":%s,\"dataApiP99Ms\":%s,"
                        + "\"routedP50Ms\":%s,\"routedP99Ms\":%s,\"overheadP50Ms\":%s,\"overheadP99Ms\":%s}%n", n,
                        Percentiles.ms(d.at(50)), Percentiles.ms(d.at(99)), Percentiles.ms(r.at(50)), Percentiles.ms(r.at(99)),
                        Percentiles.ms(o.at(50)), Percentiles.ms(o.at(99)));
            }
        }
    }

    private static void admin(RedshiftDataClient data, String cluster, String sql) {
        String id = data.executeStatement(b -> b.clusterIdentifier(cluster).database("dev").dbUser("awsuser").sql(sql)).id();
        StatusString s;
        while ((s = data.describeStatement(b -> b.id(id)).status()) != StatusString.FINISHED) {
            if (s == StatusString.FAILED || s == StatusString.ABORTED) {
                throw new IllegalStateException(sql + ": " + data.describeStatement(b -> b.id(id)).error());
            }
            Thread.onSpinWait();
        }
    }

    /** What RoutedReads does for one read, without the service: the baseline. */
    private static long direct(RedshiftDataClient data, String cluster, int i) throws InterruptedException {
        long t0 = System.nanoTime();
        String id = data.executeStatement(b -> b.clusterIdentifier(cluster).database("dev").dbUser("bench_reader").sql(SQL)
                .parameters(p -> p.name("from").value(Integer.toString(i % 100)))).id();
        long pause = POLL_NANOS;
        while (true) {
            StatusString s = data.describeStatement(b -> b.id(id)).status();
            if (s == StatusString.FINISHED) {
                break;
            }
            if (s == StatusString.FAILED || s == StatusString.ABORTED) {
                throw new IllegalStateException("statement " + id + " ended " + s);
            }
            java.util.concurrent.TimeUnit.NANOSECONDS.sleep(pause);
            pause = Math.min(pause * 2, MAX_POLL_NANOS);
        }
        if (data.getStatementResult(b -> b.id(id)).records().size() != 100) {
            throw new IllegalStateException("not 100 rows");
        }
        return System.nanoTime() - t0;
    }

    private static long routed(int port, String auth, int i) throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/queries"))
                .header("Authorization", auth).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"sql\": \"" + SQL + "\", \"parameters\": {\"from\": "
                        + (i % 100) + "}}")).build(), HttpResponse.BodyHandlers.ofString());
        long t = System.nanoTime() - t0;
        if (r.statusCode() != 200 || !r.body().contains("\"rowCount\":100")) {
            throw new IllegalStateException("POST /queries answered " + r.statusCode() + ": " + r.body());
        }
        return t;
    }
}
