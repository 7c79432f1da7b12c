package io.shiftwork.pauseresume;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Replays a CPU trace as production would: train on the first days, then each day forecast the next 24 h from
 * what came before only, plan pauses, and score the plan against what happened.
 *
 * <pre>
 * java ... io.shiftwork.pauseresume.Backtest trace.csv [--threshold 10] [--min-pause 60] [--resume-lead 15]
 *      [--train-days 7] [--model tuned|seasonal] [--max-busy-while-paused 0.01] [--validation-days 7]
 *      [--quantile 0.95] [--neighbours 3] [--node-hour-price 1.086] [--nodes 2]
 * </pre>
 *
 * Prints idle capture, busy-while-paused, pause cycles per day and savings; the last line is the same as JSON.
 */
public final class Backtest {

    /** What a backtest measured. */
    public record Result(String trace, double threshold, long minPauseMinutes, long resumeLeadMinutes, double testDays,
            double idleCapture, double busyWhilePaused, double pausedShare, double cyclesPerDay, double pausedHours,
            double savings, double maxBusyWhilePaused, double hindsightCapture) {

        public String json() {
            return String.format(Locale.ROOT, "{\"trace\":\"%s\",\"threshold\":%.2f,\"minPauseMinutes\":%d,"
                    + "\"resumeLeadMinutes\":%d,\"testDays\":%.1f,\"idleCapture\":%.4f,\"busyWhilePaused\":%.4f,"
                    + "\"pausedShare\":%.4f,\"cyclesPerDay\":%.2f,\"pausedHours\":%.1f,\"savings\":%.2f,"
                    + "\"maxBusyWhilePaused\":%.4f,\"hindsightCapture\":%.4f}", trace, threshold, minPauseMinutes,
                    resumeLeadMinutes, testDays, idleCapture, busyWhilePaused, pausedShare, cyclesPerDay, pausedHours, savings,
                    maxBusyWhilePaused, hindsightCapture);
        }
    }

    static final boolean EXPLAIN = Boolean.getBoolean("backtest.explain");

    private Backtest() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: Backtest trace.csv [--threshold 10] [--min-pause 60] [--resume-lead 15] "
                    + "[--train-days 7] [--model tuned|seasonal] [--max-busy-while-paused 0.01] [--validation-days 7] "
                    + "[--quantile 0.95] [--neighbours 3] [--node-hour-price 1.086] [--nodes 2]");
            System.exit(2);
        }
        double threshold = 10;
        long minPause = 60;
        long lead = 15;
        int trainDays = 7;
        double quantile = 0.95;
        double price = 1.086;
        int nodes = 2;
        int neighbours = 3;
        String model = "tuned";
        double maxBusy = 0.01;
        int validationDays = 7;
        for (int i = 1; i + 1 < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--threshold" -> threshold = Double.parseDouble(v);
                case "--min-pause" -> minPause = Long.parseLong(v);
                case "--resume-lead" -> lead = Long.parseLong(v);
                case "--train-days" -> trainDays = Integer.parseInt(v);
                case "--quantile" -> quantile = Double.parseDouble(v);
                case "--node-hour-price" -> price = Double.parseDouble(v);
                case "--nodes" -> nodes = Integer.parseInt(v);
                case "--neighbours" -> neighbours = Integer.parseInt(v);
                case "--model" -> model = v;
                case "--max-busy-while-paused" -> maxBusy = Double.parseDouble(v);
                case "--validation-days" -> validationDays = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path trace = Path.of(args[0]);
        Forecaster forecaster = switch (model) {
            case "tuned" -> new TunedForecaster(threshold, Duration.ofMinutes(minPause), Duration.ofMinutes(lead), quantile,
                    maxBusy, validationDays);
            case "seasonal" -> new SeasonalForecaster(quantile, neighbours, 7);
            default -> throw new IllegalArgumentException("--model is tuned or seasonal, got " + model);
        };
        Result r = run(trace.getFileName().toString(), read(trace), forecaster, threshold,
                Duration.ofMinutes(minPause), Duration.ofMinutes(lead), trainDays, price, nodes, maxBusy);
        System.out.printf(Locale.ROOT, "%s: threshold %.1f%%, min pause %d min, resume lead %d min, %.1f test days%n",
                r.trace(), r.threshold(), r.minPauseMinutes(), r.resumeLeadMinutes(), r.testDays());
        System.out.printf(Locale.ROOT, "idle capture %.1f%%  busy-while-paused %.2f%%  paused %.1f%% of the time  "
                + "%.2f pause cycles/day  %.1f h paused  savings %.2f (%d nodes at %.3f/node-hour)%n",
                r.idleCapture() * 100, r.busyWhilePaused() * 100, r.pausedShare() * 100, r.cyclesPerDay(), r.pausedHours(),
                r.savings(), nodes, price);
        System.out.printf(Locale.ROOT, "hindsight bound: with the future known, the same guard and lead, and busy-while-paused "
                + "<= %.2f%%, no plan captures more than %.1f%% of the idle time%n", r.maxBusyWhilePaused() * 100,
                r.hindsightCapture() * 100);
        System.out.println(r.json());
    }

    public static List<Sample> read(Path csv) throws IOException {
        List<Sample> out = new ArrayList<>();
        for (String line : Files.readAllLines(csv)) {
            String[] f = line.split(",");
            if (f.length < 2 || f[0].startsWith("timestamp") || f[1].isBlank()) {
                continue;
            }
            out.add(new Sample(Instant.parse(f[0].trim()), Double.parseDouble(f[1].trim())));
        }
        out.sort(Comparator.comparing(Sample::at));
        return out;
    }

    public static Result run(String name, List<Sample> samples, Forecaster forecaster, double threshold, Duration minPause,
            Duration lead, int trainDays, double price, int nodes, double maxBusyWhilePaused) {
        Instant first = samples.get(0).at().truncatedTo(ChronoUnit.DAYS);
        Instant last = samples.get(samples.size() - 1).at();
        Instant testStart = first.plus(Duration.ofDays(trainDays));
        List<ForecastPoint> forecast = new ArrayList<>();
        for (Instant day = testStart; day.isBefore(last); day = day.plus(Duration.ofDays(1))) {
            Instant d = day;
            List<Sample> known = samples.stream().filter(s -> s.at().isBefore(d)).toList();
            forecast.addAll(forecaster.forecast(name, known, day, Duration.ofDays(1)));
            if (EXPLAIN && forecaster instanceof TunedForecaster t && t.lastChoice() != null) {
                System.out.printf(Locale.ROOT, "%s: %s (validation over %d days: capture %.1f%%, busy-while-paused %.2f%%)%n",
                        day, t.lastChoice().setting(), t.lastChoice().validationDays(),
                        t.lastChoice().validation().idleCapture() * 100, t.lastChoice().validation().busyWhilePaused() * 100);
            }
        }
        List<PausePlanner.Window> windows = PausePlanner.plan(forecast, threshold, minPause, lead);
        if (!GUARD.equals("none")) {
            windows = PlanScore.guarded(windows, samples, threshold, minPause);
        }
        PlanScore score = PlanScore.of(windows, samples, testStart, last, threshold, minPause);
        if (EXPLAIN) {
            for (Sample s : samples) {
                PausePlanner.Window w = s.at().isBefore(testStart) || s.cpu() < threshold ? null : PlanScore.paused(windows, s.at());
                if (w != null) {
                    System.out.printf(Locale.ROOT, "busy while paused: %s cpu %.1f, %d min after pause, %d min before resume%n",
                            s.at(), s.cpu(), Duration.between(w.pauseAt(), s.at()).toMinutes(), Duration.between(s.at(), w.resumeAt()).toMinutes());
                }
            }
        }
        double days = score.hours() / 24;
        Hindsight.Bound bound = Hindsight.bound(samples, testStart, last, threshold, minPause, lead, maxBusyWhilePaused);
        return new Result(name, threshold, minPause.toMinutes(), lead.toMinutes(), days, score.idleCapture(),
                score.busyWhilePaused(), score.pausedHours() / score.hours(), windows.size() / days, score.pausedHours(),
                score.pausedHours() * nodes * price, maxBusyWhilePaused, bound.idleCapture());
    }

    /** {@code -Dbacktest.guard=none}: score the plan without the executor's CPU guard. */
    static final String GUARD = System.getProperty("backtest.guard", "defer");
}
