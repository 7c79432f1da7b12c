package io.shiftwork.pauseresume;

import java.time.Instant;

/** A 5-minute average CPU utilisation, percent. A missing datapoint is no sample, never a zero. */
public record Sample(Instant at, double cpu) {
}
