package io.shiftwork.bench;

import java.nio.file.Path;
import java.time.Duration;

import io.shiftwork.local.LocalAws;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.redshiftdata.model.StatusString;

/**
 * Local Redshift latency: ExecuteStatement → FINISHED (as seen by DescribeStatement) for a trivial query,
 * through the real SDK client, one statement at a time. Usage: {@code bench/run data-api [statements]}.
 */
public final class DataApiBench {

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        try (LocalAws local = LocalAws.start(Path.of("target", "emulators").toAbsolutePath());
                RedshiftDataClient data = RedshiftDataClient.builder()
                        .endpointOverride(local.redshift().endpoint())
                        .region(Region.US_EAST_1)
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("l", "l")))
                        .httpClient(ApacheHttpClient.builder().build())
                        .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD).apiCallTimeout(Duration.ofSeconds(10)))
                        .build()) {
            local.createClusters("bench");
            if (args.length > 1 && args[1].equals("cached")) {
                // what the cluster-status lookup costs when moto reports its changes and statuses are cached
                local.redshift().clusterStatusCache(true);
            }
            for (int i = 0; i < 200; i++) {
                once(data, i);
            }
            long[] latencies = new long[n];
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                latencies[i] = once(data, i);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Percentiles p = new Percentiles(latencies);
            System.out.printf("local Redshift, ExecuteStatement -> FINISHED, trivial query, %d statements, %d cores%n", n,
                    Runtime.getRuntime().availableProcessors());
            System.out.printf("p50 %s ms  p90 %s ms  p99 %s ms  max %s ms  (%.0f statements/s sequential)%n",
                    Percentiles.ms(p.at(50)), Percentiles.ms(p.at(90)), Percentiles.ms(p.at(99)), Percentiles.ms(p.max()),
                    n / seconds);
            System.out.printf("{\"bench\":\"data-api\",\"statements\":%d,\"p50Ms\":%s,\"p99Ms\":%s,\"maxMs\":%s,\"targetP99Ms\":50,\"met\":%s}%n",
                    n, Percentiles.ms(p.at(50)), Percentiles.ms(p.at(99)), Percentiles.ms(p.max()), p.at(99) < 50);
        }
    }

    private static long once(RedshiftDataClient data, int i) {
        long t0 = System.nanoTime();
        String id = data.executeStatement(b -> b.clusterIdentifier("bench").database("dev").dbUser("bench")
                .sql("select " + i)).id();
        while (true) {
            StatusString s = data.describeStatement(b -> b.id(id)).status();
            if (s == StatusString.FINISHED) {
                return System.nanoTime() - t0;
            }
            if (s == StatusString.FAILED || s == StatusString.ABORTED) {
                throw new IllegalStateException("statement " + id + " ended " + s);
            }
            Thread.onSpinWait();
        }
    }
}
