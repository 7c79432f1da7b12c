package io.shiftwork.pauseresume;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataResponse;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Each cluster's CPU history: AWS/Redshift CPUUtilization 5-minute averages from CloudWatch (GetMetricData,
 * incremental, backfilled on the first run), kept in S3 as {@code item_id,timestamp,target_value} — Amazon
 * Forecast's import format. A paused cluster emits no datapoints: its gaps stay gaps, never zeros.
 */
@ApplicationScoped
public class CpuHistory {

    static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final CloudWatchClient cloudWatch;
    private final S3Client s3;
    private final PauseResumeConfig config;
    private final Clock clock;

    public CpuHistory(CloudWatchClient cloudWatch, S3Client s3, PauseResumeConfig config, Clock clock) {
        this.cloudWatch = cloudWatch;
        this.s3 = s3;
        this.config = config;
        this.clock = clock;
    }

    static String key(String clusterId) {
        return "cpu-history/" + clusterId + ".csv";
    }

    /** Fetches what is new since the stored history, stores the result, returns the whole history. */
    public List<Sample> update(String clusterId) {
        TreeMap<Instant, Double> samples = new TreeMap<>();
        read(clusterId).forEach(s -> samples.put(s.at(), s.cpu()));
        // periods on 5-minute boundaries, like the forecaster's slots: CloudWatch starts its periods at StartTime,
        // so an unaligned start would label 17:58-18:03 as the 17:55 slot
        Instant now = Instant.ofEpochSecond(SeasonalForecaster.slot(clock.instant()) * Forecaster.STEP.toSeconds());
        Instant from = samples.isEmpty() ? now.minus(Duration.ofDays(config.backfillDays()))
                : samples.lastKey().plus(Forecaster.STEP);
        fetch(clusterId, "CPUUtilization", from, now).forEach(s -> samples.put(s.at(), s.cpu()));
        StringBuilder csv = new StringBuilder("item_id,timestamp,target_value\n");
        samples.forEach((at, cpu) -> csv.append(clusterId).append(',')
                .append(FORMAT.format(LocalDateTime.ofInstant(at, ZoneOffset.UTC))).append(',').append(cpu).append('\n'));
        s3.putObject(b -> b.bucket(config.historyBucket()).key(key(clusterId)).contentType("text/csv"),
                RequestBody.fromString(csv.toString()));
        List<Sample> out = new ArrayList<>();
        samples.forEach((at, cpu) -> out.add(new Sample(at, cpu)));
        return out;
    }

    public List<Sample> read(String clusterId) {
        String text;
        try {
            text = s3.getObjectAsBytes(b -> b.bucket(config.historyBucket()).key(key(clusterId))).asString(StandardCharsets.UTF_8);
        } catch (NoSuchKeyException none) {
            return List.of();
        }
        List<Sample> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] f = line.split(",");
            if (f.length == 3 && !f[0].equals("item_id")) {
                out.add(new Sample(LocalDateTime.parse(f[1], FORMAT).toInstant(ZoneOffset.UTC), Double.parseDouble(f[2])));
            }
        }
        return out;
    }

    /** 5-minute averages of an AWS/Redshift metric of the cluster, every page. */
    public List<Sample> fetch(String clusterId, String metric, Instant from, Instant to) {
        List<Sample> out = new ArrayList<>();
        if (!from.isBefore(to)) {
            return out;
        }
        String token = null;
        do {
            String t = token;
            GetMetricDataResponse page = cloudWatch.getMetricData(b -> b.startTime(from).endTime(to).nextToken(t)
                    .metricDataQueries(q -> q.id("m").returnData(true).metricStat(ms -> ms.period(300).stat("Average")
                            .metric(m -> m.namespace("AWS/Redshift").metricName(metric)
                                    .dimensions(Dimension.builder().name("ClusterIdentifier").value(clusterId).build())))));
            for (MetricDataResult r : page.metricDataResults()) {
                for (int i = 0; i < r.timestamps().size(); i++) {
                    out.add(new Sample(r.timestamps().get(i), r.values().get(i)));
                }
            }
            token = page.nextToken();
        } while (token != null);
        out.sort(Comparator.comparing(Sample::at));
        return out;
    }
}
