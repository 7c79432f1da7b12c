package io.shiftwork.pauseresume;

import java.time.Instant;

/** Forecast CPU for the 5 minutes starting at {@code at}: a central value and an upper quantile. */
public record ForecastPoint(Instant at, double mean, double upper) {
}
