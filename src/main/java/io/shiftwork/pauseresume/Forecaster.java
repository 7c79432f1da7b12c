package io.shiftwork.pauseresume;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Predicts a cluster's CPU at 5-minute resolution from its history. */
public interface Forecaster {

    Duration STEP = Duration.ofMinutes(5);

    List<ForecastPoint> forecast(String clusterId, List<Sample> history, Instant from, Duration horizon);
}
