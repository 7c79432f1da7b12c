package io.shiftwork.etl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Generates NYC yellow-taxi-shaped trips as CSV with a header (the columns of {@code sql/etl/01-nyc_yellow_taxi.sql}):
 * deterministic for a seed, every day of the month present, busier at rush hours, fares that follow distance.
 * Run {@code java -cp target/classes io.shiftwork.etl.TaxiSample out.csv [rows] [yyyy-MM]} to write a file.
 */
public final class TaxiSample {

    public static final String HEADER = "vendor_id,pickup_datetime,dropoff_datetime,passenger_count,trip_distance,"
            + "rate_code_id,pickup_location_id,dropoff_location_id,payment_type,fare_amount,tip_amount,total_amount";
    public static final YearMonth MONTH = YearMonth.of(2024, 1);
    public static final int ROWS = 3000;
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final int[] HOUR_WEIGHT = { 2, 1, 1, 1, 1, 2, 4, 7, 9, 7, 6, 6, 7, 7, 7, 8, 9, 10, 10, 8, 7, 6, 5, 3 };

    private TaxiSample() {
    }

    /** {@code rows} trips in {@code month}; trip i falls on day (i mod days) + 1, so rows ≥ days covers every day. */
    public static String csv(int rows, YearMonth month, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int totalWeight = java.util.Arrays.stream(HOUR_WEIGHT).sum();
        StringBuilder out = new StringBuilder(rows * 110).append(HEADER).append('\n');
        for (int i = 0; i < rows; i++) {
            int day = i % month.lengthOfMonth() + 1;
            int pick = random.nextInt(totalWeight);
            int hour = 0;
            while (pick >= HOUR_WEIGHT[hour]) {
                pick -= HOUR_WEIGHT[hour++];
            }
            LocalDateTime pickup = month.atDay(day).atTime(hour, random.nextInt(60), random.nextInt(60));
            double distance = Math.round((0.3 + -Math.log(1 - random.nextDouble()) * 2.8) * 100) / 100.0;
            int minutes = (int) Math.max(2, distance * (2.5 + random.nextDouble() * 2));
            int rate = distance > 15 && random.nextInt(4) == 0 ? 2 : 1;
            double fare = rate == 2 ? 70.0 : Math.round((3.0 + distance * 2.5 + minutes * 0.5) * 100) / 100.0;
            int payment = random.nextInt(10) < 7 ? 1 : 2;
            double tip = payment == 1 ? Math.round(fare * (0.1 + random.nextDouble() * 0.15) * 100) / 100.0 : 0;
            double total = Math.round((fare + tip + 0.5 + 2.5) * 100) / 100.0;
            out.append(random.nextInt(2) + 1).append(',')
                    .append(TS.format(pickup)).append(',')
                    .append(TS.format(pickup.plusMinutes(minutes))).append(',')
                    .append(1 + (random.nextInt(10) < 7 ? 0 : random.nextInt(4))).append(',')
                    .append(String.format(Locale.ROOT, "%.2f", distance)).append(',')
                    .append(rate).append(',')
                    .append(1 + random.nextInt(263)).append(',')
                    .append(1 + random.nextInt(263)).append(',')
                    .append(payment).append(',')
                    .append(String.format(Locale.ROOT, "%.2f", fare)).append(',')
                    .append(String.format(Locale.ROOT, "%.2f", tip)).append(',')
                    .append(String.format(Locale.ROOT, "%.2f", total)).append('\n');
        }
        return out.toString();
    }

    /** The project's sample: {@value #ROWS} trips in January 2024. */
    public static String csv() {
        return csv(ROWS, MONTH, 2024);
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: TaxiSample <out.csv> [rows] [yyyy-MM]");
            System.exit(2);
        }
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : ROWS;
        YearMonth month = args.length > 2 ? YearMonth.parse(args[2]) : MONTH;
        Files.writeString(Path.of(args[0]), csv(rows, month, 2024));
        System.out.println("wrote " + rows + " trips in " + month + " to " + args[0]);
    }
}
