package io.shiftwork.pauseresume;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** Draws a plan as SVG: forecast (median and upper quantile), actual CPU, threshold, pause windows. Pure. */
public final class PlanSvg {

    private static final int W = 960;
    private static final int H = 320;
    private static final int PAD = 40;
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("MM-dd HH:mm").withZone(ZoneOffset.UTC);

    private PlanSvg() {
    }

    public static String render(ClusterPlan plan, List<Sample> actual) {
        return render(plan, actual, null);
    }

    /** {@code caption}: a line under the title, such as the plan's expected savings ({@link PlanSavings#summary()}). */
    public static String render(ClusterPlan plan, List<Sample> actual, String caption) {
        Instant from = plan.forecast().isEmpty() ? plan.computedAt() : plan.forecast().get(0).at();
        Instant to = plan.forecast().isEmpty() ? from.plus(Duration.ofDays(1))
                : plan.forecast().get(plan.forecast().size() - 1).at().plus(Forecaster.STEP);
        Instant start = actual.isEmpty() || !actual.get(0).at().isBefore(from) ? from : actual.get(0).at();
        double span = Duration.between(start, to).toSeconds();
        double max = Math.max(plan.threshold() * 2, 10);
        for (ForecastPoint p : plan.forecast()) {
            if (Double.isFinite(p.upper())) {
                max = Math.max(max, p.upper());
            }
        }
        for (Sample s : actual) {
            max = Math.max(max, s.cpu());
        }
        double top = Math.min(100, Math.ceil(max / 10) * 10);
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">%n", W, H, W, H));
        svg.append("<title>").append(plan.clusterId()).append(": CPU forecast and pause plan (UTC)</title>\n");
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        for (ClusterPlan.PlannedWindow w : plan.windows()) {
            double x1 = x(w.pauseAt(), start, span);
            double x2 = x(w.resumeAt(), start, span);
            String fill = w.state().equals("SKIPPED") ? "#f3d7d7" : "#d7e8f3";
            svg.append(String.format(Locale.ROOT, "<rect class=\"pause\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\">"
                    + "<title>%s %s - %s</title></rect>%n", x1, PAD, Math.max(1, x2 - x1), H - 2 * PAD, fill, w.state(),
                    HOUR.format(w.pauseAt()), HOUR.format(w.resumeAt())));
        }
        double ty = y(plan.threshold(), top);
        svg.append(String.format(Locale.ROOT, "<line class=\"threshold\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#c0392b\" "
                + "stroke-dasharray=\"6 4\"/><text x=\"%d\" y=\"%.1f\" fill=\"#c0392b\">threshold %.1f%%</text>%n",
                PAD, ty, W - PAD, ty, W - PAD - 110, ty - 4, plan.threshold()));
        svg.append(path("upper", plan.forecast().stream().filter(p -> Double.isFinite(p.upper()))
                .map(p -> new double[] { x(p.at(), start, span), y(p.upper(), top) }).toList(), "#e67e22"));
        svg.append(path("forecast", plan.forecast().stream().filter(p -> Double.isFinite(p.mean()))
                .map(p -> new double[] { x(p.at(), start, span), y(p.mean(), top) }).toList(), "#2980b9"));
        svg.append(path("actual", actual.stream().map(s -> new double[] { x(s.at(), start, span), y(s.cpu(), top) }).toList(), "#2c3e50"));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>%n", PAD, H - PAD, W - PAD, H - PAD));
        for (int i = 0; i <= 4; i++) {
            Instant t = start.plusSeconds((long) (span * i / 4));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    x(t, start, span), H - PAD + 16, HOUR.format(t)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%.0f%%</text><text x=\"4\" y=\"%d\">0%%</text>%n", 4, PAD, top, H - PAD));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"13\">%s — actual (dark), forecast (blue), "
                + "upper quantile (orange), pauses (shaded)</text>%n", PAD, plan.clusterId()));
        if (caption != null) {
            svg.append(String.format(Locale.ROOT, "<text class=\"savings\" x=\"%d\" y=\"34\">%s</text>%n", PAD,
                    caption.replace("&", "&amp;").replace("<", "&lt;")));
        }
        return svg.append("</svg>\n").toString();
    }

    private static String path(String cls, List<double[]> points, String colour) {
        if (points.isEmpty()) {
            return "";
        }
        StringBuilder d = new StringBuilder();
        for (double[] p : points) {
            d.append(d.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", p[0], p[1]));
        }
        return "<path class=\"" + cls + "\" d=\"" + d + "\" fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"1.5\"/>\n";
    }

    private static double x(Instant t, Instant start, double span) {
        return PAD + (W - 2 * PAD) * Duration.between(start, t).toSeconds() / span;
    }

    private static double y(double v, double top) {
        return H - PAD - (H - 2 * PAD) * Math.min(v, top) / top;
    }
}
