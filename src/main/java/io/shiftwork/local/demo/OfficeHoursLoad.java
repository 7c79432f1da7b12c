package io.shiftwork.local.demo;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The demo cluster's load: 5-minute CPUUtilization and DatabaseConnections of an office-hours warehouse —
 * busy 08:00–18:00 UTC on weekdays (a late-morning peak, noise, a few spikes), idle nights and weekends (a
 * few percent, no connections, a rare spike). Deterministic: a slot's values depend only on the seed and the
 * slot's instant, so the same instant has the same load whenever the history is generated.
 */
public final class OfficeHoursLoad {

    public static final Duration STEP = Duration.ofMinutes(5);
    public static final long SEED = 20240101L;

    /** One 5-minute datapoint. */
    public record Point(Instant at, double cpu, double connections) {
    }

    private OfficeHoursLoad() {
    }

    /** {@code days} of points on 5-minute boundaries, oldest first, the last one the slot before {@code end}. */
    public static List<Point> history(Instant end, int days, long seed) {
        long step = STEP.toSeconds();
        long last = Math.floorDiv(end.getEpochSecond() - 1, step);
        int n = (int) (Duration.ofDays(days).toSeconds() / step);
        List<Point> points = new ArrayList<>(n);
        for (long slot = last - n + 1; slot <= last; slot++) {
            points.add(at(slot * step, seed));
        }
        return points;
    }

    static Point at(long epochSecond, long seed) {
        long slot = Math.floorDiv(epochSecond, STEP.toSeconds());
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + slot);
        Instant at = Instant.ofEpochSecond(slot * STEP.toSeconds());
        ZonedDateTime t = at.atZone(ZoneOffset.UTC);
        boolean weekday = t.getDayOfWeek() != DayOfWeek.SATURDAY && t.getDayOfWeek() != DayOfWeek.SUNDAY;
        double hour = t.getHour() + t.getMinute() / 60.0;
        double noise = random.nextDouble() + random.nextDouble() + random.nextDouble() - 1.5; // about ±1.5, bell-shaped
        double spike = random.nextDouble();
        double cpu;
        double connections;
        if (weekday && hour >= 8 && hour < 18) {
            cpu = 40 + 25 * Math.sin(Math.PI * (hour - 8) / 10) + 6 * noise;
            connections = Math.round(10 + 5 * Math.sin(Math.PI * (hour - 8) / 10) + 2 * noise);
            if (spike < 1.0 / 60) {
                cpu = 85 + 10 * random.nextDouble();
            }
        } else {
            cpu = 3 + 1.2 * noise;
            connections = 0;
            if (spike < 1.0 / 4000) {
                cpu = 60 + 20 * random.nextDouble();
                connections = 2;
            }
        }
        return new Point(at, round(Math.max(0.5, Math.min(100, cpu))), Math.max(0, connections));
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
