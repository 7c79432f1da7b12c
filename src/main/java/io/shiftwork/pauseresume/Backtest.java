package io.shiftwork.pauseresume;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
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
 *      [--quantile 0.95] [--neighbours 3] [--node-hour-price 1.086] [--nodes 2] [--windows-csv file]
 * </pre>
 *
 * Prints, for the model and, on the same test days, the baselines (fixed schedule, same slot last week, slot-of-week p90,
 * never pause) and the hindsight bound: capture, pause-into-load incidents per 30 days, busy share, busy hours paused,
 * paused hours and money saved against always-on and against the fixed schedule; the last line is the same as JSON.
 * {@code --windows-csv file} writes the model's pause windows ({@code start,end}).
 */
public final class Backtest {

    /** One plan's windows over the test days and their score. */
    public record Line(String name, List<PausePlanner.Window> windows, PlanScore score) {
    }

    /**
     * What a backtest measured: {@code lines.get(0)} is the model's plan, then the baselines on the same test days —
     * fixed schedule, same slot last week, slot-of-week p90, never pause — and the hindsight bound.
     */
    public record Result(String trace, double threshold, long minPauseMinutes, long resumeLeadMinutes, double testDays,
            List<Line> lines, double maxBusyWhilePaused, double nodeHourPrice, int nodes) {

        public Line model() {
            return lines.get(0);
        }

        public Line line(String name) {
            return lines.stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
        }

        public double idleCapture() {
            return model().score().idleCapture();
        }

        public double busyWhilePaused() {
            return model().score().busyWhilePaused();
        }

        public double pausedHours() {
            return model().score().pausedHours();
        }

        public double hindsightCapture() {
            return line(HINDSIGHT).score().idleCapture();
        }

        /** Money saved by {@code line} against always-on: paused hours × nodes × node-hour price. */
        public double savings(Line line) {
            return line.score().pausedHours() * nodes * nodeHourPrice;
        }

        /** Money saved by {@code line} against the fixed schedule (negative: the schedule saves more). */
        public double savedVsFixed(Line line) {
            return savings(line) - savings(line(FIXED));
        }

        private String fields(Line l) {
            PlanScore x = l.score();
            return String.format(Locale.ROOT, "\"idleCapture\":%.4f,\"busyWhilePaused\":%.4f,\"incidents\":%d,"
                    + "\"incidentsPer30Days\":%.2f,\"busyHoursPaused\":%.2f,\"pausedShare\":%.4f,\"cyclesPerDay\":%.2f,"
                    + "\"pausedHours\":%.1f,\"savings\":%.2f,\"savedVsFixed\":%.2f", x.idleCapture(), x.busyWhilePaused(),
                    x.incidents(), x.incidentsPer30Days(), x.busyHoursPaused(), x.hours() == 0 ? 0 : x.pausedHours() / x.hours(),
                    x.windows() / testDays, x.pausedHours(), savings(l), savedVsFixed(l));
        }

        public String json() {
            StringBuilder baselines = new StringBuilder();
            for (Line l : lines.subList(1, lines.size())) {
                baselines.append(baselines.length() == 0 ? "" : ",").append("{\"name\":\"").append(l.name()).append("\",")
                        .append(fields(l)).append('}');
            }
            return String.format(Locale.ROOT, "{\"trace\":\"%s\",\"threshold\":%.2f,\"minPauseMinutes\":%d,"
                    + "\"resumeLeadMinutes\":%d,\"testDays\":%.1f,%s,\"maxBusyWhilePaused\":%.4f,\"hindsightCapture\":%.4f,"
                    + "\"nodes\":%d,\"nodeHourPrice\":%.3f,\"baselines\":[%s]}", trace, threshold, minPauseMinutes,
                    resumeLeadMinutes, testDays, fields(model()), maxBusyWhilePaused, hindsightCapture(), nodes, nodeHourPrice,
                    baselines);
        }
    }

    static final String FIXED = "fixed 20:00-08:00 + weekends";
    static final String SAME_SLOT = "same slot last week";
    static final String P90 = "slot-of-week p90";
    static final String NEVER = "never pause";
    static final String HINDSIGHT = "hindsight bound";
    static final String HINDSIGHT_SAFE = "hindsight, no busy paused";

    static final boolean EXPLAIN = Boolean.getBoolean("backtest.explain");

    private Backtest() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: Backtest trace.csv [--threshold 10] [--min-pause 60] [--resume-lead 15] "
                    + "[--train-days 7] [--model tuned|seasonal] [--max-busy-while-paused 0.01] [--validation-days 7] "
                    + "[--max-incidents 1] [--quantile 0.95] [--neighbours 3] [--node-hour-price 1.086] [--nodes 2] [--windows-csv file]");
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
        double maxIncidents = TunedForecaster.MAX_INCIDENTS_PER_14_DAYS;
        Path windowsCsv = null;
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
                case "--max-incidents" -> maxIncidents = Double.parseDouble(v);
                case "--windows-csv" -> windowsCsv = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path trace = Path.of(args[0]);
        Forecaster forecaster = switch (model) {
            case "tuned" -> new TunedForecaster(threshold, Duration.ofMinutes(minPause), Duration.ofMinutes(lead), quantile,
                    maxBusy, validationDays).withMaxIncidents(maxIncidents);
            case "seasonal" -> new SeasonalForecaster(quantile, neighbours, 7);
            default -> throw new IllegalArgumentException("--model is tuned or seasonal, got " + model);
        };
        Result r = run(trace.getFileName().toString(), read(trace), forecaster, threshold,
                Duration.ofMinutes(minPause), Duration.ofMinutes(lead), trainDays, price, nodes, maxBusy);
        if (windowsCsv != null) {
            Files.writeString(windowsCsv, windowsCsv(r.model().windows()));
        }
        System.out.print(report(r, model));
        System.out.println(r.json());
    }

    /** The windows as CSV, {@code start,end} per window (ISO-8601 UTC), for anyone to score independently. */
    public static String windowsCsv(List<PausePlanner.Window> windows) {
        StringBuilder out = new StringBuilder("start,end\n");
        for (PausePlanner.Window w : windows) {
            out.append(w.pauseAt()).append(',').append(w.resumeAt()).append('\n');
        }
        return out.toString();
    }

    static String report(Result r, String model) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%s: threshold %.1f%%, min pause %d min, resume lead %d min, %.1f test days, "
                + "%d nodes at %.3f/node-hour%n", r.trace(), r.threshold(), r.minPauseMinutes(), r.resumeLeadMinutes(),
                r.testDays(), r.nodes(), r.nodeHourPrice()));
        out.append(String.format(Locale.ROOT, "%-30s %8s %13s %10s %13s %9s %12s %12s%n", "plan", "capture", "incidents/30d",
                "busy share", "busy h paused", "paused h", "saved", "vs fixed"));
        for (Line l : r.lines()) {
            PlanScore x = l.score();
            String name = l == r.model() ? model + (model.equals("tuned") ? String.format(Locale.ROOT, " (budget %.0f%%)",
                    r.maxBusyWhilePaused() * 100) : "") : l.name();
            String capture = x.idleRunHours() == 0 ? "no idle" : String.format(Locale.ROOT, "%.1f%%", x.idleCapture() * 100);
            out.append(String.format(Locale.ROOT, "%-30s %8s %13.2f %9.2f%% %13.2f %9.1f %12.2f %12.2f%n", name, capture,
                    x.incidentsPer30Days(), x.busyWhilePaused() * 100, x.busyHoursPaused(), x.pausedHours(), r.savings(l),
                    r.savedVsFixed(l)));
        }
        out.append(String.format(Locale.ROOT, "capture: paused time inside idle runs of at least %d min / time in such runs "
                + "(%.1f h); incident: a pause with at least one busy sample inside; hindsight bound: the future known, the same "
                + "guard and lead, busy share <= %.2f%% (no busy sample at all: 0 incidents)%n", r.minPauseMinutes(),
                r.model().score().idleRunHours(), r.maxBusyWhilePaused() * 100));
        return out.toString();
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
        Instant last = samples.get(samples.size() - 1).at().plus(Forecaster.STEP);
        Instant testStart = first.plus(Duration.ofDays(trainDays));
        List<Line> lines = new ArrayList<>();
        List<PausePlanner.Window> windows = replay(name, samples, forecaster, testStart, last, threshold, minPause, lead);
        lines.add(new Line(name, windows, PlanScore.of(windows, samples, testStart, last, threshold, minPause)));
        List<PausePlanner.Window> fixed = Baselines.fixedSchedule(testStart, last, ZoneOffset.UTC);
        lines.add(new Line(FIXED, fixed, PlanScore.of(fixed, samples, testStart, last, threshold, minPause)));
        List<PausePlanner.Window> same = replay(name, samples, new Baselines.SameSlotLastWeek(), testStart, last, threshold,
                minPause, lead);
        lines.add(new Line(SAME_SLOT, same, PlanScore.of(same, samples, testStart, last, threshold, minPause)));
        List<PausePlanner.Window> p90 = replay(name, samples, Baselines.slotOfWeekP90(), testStart, last, threshold, minPause, lead);
        lines.add(new Line(P90, p90, PlanScore.of(p90, samples, testStart, last, threshold, minPause)));
        lines.add(new Line(NEVER, List.of(), PlanScore.of(List.of(), samples, testStart, last, threshold, minPause)));
        Hindsight.Bound bound = Hindsight.bound(samples, testStart, last, threshold, minPause, lead, maxBusyWhilePaused);
        lines.add(new Line(HINDSIGHT, bound.windows(), bound.score()));
        Hindsight.Bound safe = Hindsight.bound(samples, testStart, last, threshold, minPause, lead, 0);
        lines.add(new Line(HINDSIGHT_SAFE, safe.windows(), safe.score()));
        if (EXPLAIN) {
            for (Sample s : samples) {
                PausePlanner.Window w = s.at().isBefore(testStart) || s.cpu() < threshold ? null : PlanScore.paused(windows, s.at());
                if (w != null) {
                    System.out.printf(Locale.ROOT, "busy while paused: %s cpu %.1f, %d min after pause, %d min before resume%n",
                            s.at(), s.cpu(), Duration.between(w.pauseAt(), s.at()).toMinutes(), Duration.between(s.at(), w.resumeAt()).toMinutes());
                }
            }
        }
        double days = Duration.between(testStart, last).toMinutes() / 60.0 / 24;
        return new Result(name, threshold, minPause.toMinutes(), lead.toMinutes(), days, List.copyOf(lines),
                maxBusyWhilePaused, price, nodes);
    }

    /**
     * Production replayed over [testStart, last): each day forecast from the data before it only, planned, and run through
     * the executor's CPU guard (unless {@code -Dbacktest.guard=none}).
     */
    static List<PausePlanner.Window> replay(String name, List<Sample> samples, Forecaster forecaster, Instant testStart,
            Instant last, double threshold, Duration minPause, Duration lead) {
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
        forecast = forecast.stream().filter(p -> p.at().isBefore(last)).toList();
        List<PausePlanner.Window> windows = PausePlanner.plan(forecast, threshold, minPause, lead);
        return GUARD.equals("none") ? windows : PlanScore.guarded(windows, samples, threshold, minPause);
    }

    /** {@code -Dbacktest.guard=none}: score the plan without the executor's CPU guard. */
    static final String GUARD = System.getProperty("backtest.guard", "defer");
}
