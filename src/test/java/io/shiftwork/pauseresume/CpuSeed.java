package io.shiftwork.pauseresume;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;

/** Puts two days of 5-minute AWS/Redshift datapoints for a cluster, with a one-hour hole (a paused cluster reports nothing). */
final class CpuSeed {

    private CpuSeed() {
    }

    static void twoDays(CloudWatchClient cloudWatch, String cluster, String metric, Function<Instant, Double> value) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        List<MetricDatum> batch = new ArrayList<>();
        for (int i = 1; i <= 2 * 288; i++) {
            if (i >= 100 && i < 112) {
                continue;
            }
            Instant at = now.minus(Forecaster.STEP.multipliedBy(i));
            batch.add(MetricDatum.builder().metricName(metric).value(value.apply(at)).timestamp(at)
                    .dimensions(Dimension.builder().name("ClusterIdentifier").value(cluster).build()).build());
            if (batch.size() == 20 || i == 2 * 288) {
                List<MetricDatum> send = List.copyOf(batch);
                cloudWatch.putMetricData(b -> b.namespace("AWS/Redshift").metricData(send));
                batch.clear();
            }
        }
    }
}
