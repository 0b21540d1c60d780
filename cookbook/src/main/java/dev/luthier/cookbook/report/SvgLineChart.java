package dev.luthier.cookbook.report;

import java.util.Locale;

/**
 * An inline SVG line chart of one series against step: axes with min/middle/max tick labels, the line, and a dot
 * per point when there are few. Pure text; no scripts or external resources.
 */
public final class SvgLineChart {
    static final int WIDTH = 480;
    static final int HEIGHT = 260;
    private static final int LEFT = 64;
    private static final int RIGHT = 16;
    private static final int TOP = 28;
    private static final int BOTTOM = 36;

    private SvgLineChart() {
    }

    public static String render(MetricSeries s) {
        double xMin = min(s.steps());
        double xMax = max(s.steps());
        double yMin = min(s.values());
        double yMax = max(s.values());
        if (xMax == xMin) {
            xMin -= 0.5;
            xMax += 0.5;
        }
        if (yMax == yMin) {
            double pad = yMin == 0 ? 1 : Math.abs(yMin) * 0.05;
            yMin -= pad;
            yMax += pad;
        }
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        StringBuilder sb = new StringBuilder();
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT).append("\" role=\"img\" aria-label=\"")
                .append(Html.escape(s.name())).append(" vs step\">\n");
        sb.append("<text x=\"").append(LEFT).append("\" y=\"18\" class=\"title\">").append(Html.escape(s.name())).append("</text>\n");
        sb.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"").append(fmt(plotW))
                .append("\" height=\"").append(fmt(plotH)).append("\" class=\"frame\"/>\n");
        for (int i = 0; i <= 2; i++) {
            double fy = i / 2.0;
            double y = TOP + plotH * (1 - fy);
            sb.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(fmt(LEFT + plotW)).append("\" y1=\"").append(fmt(y))
                    .append("\" y2=\"").append(fmt(y)).append("\" class=\"grid\"/>\n");
            sb.append("<text x=\"").append(LEFT - 6).append("\" y=\"").append(fmt(y + 4)).append("\" class=\"ylabel\">")
                    .append(number(yMin + (yMax - yMin) * fy)).append("</text>\n");
            double x = LEFT + plotW * fy;
            sb.append("<text x=\"").append(fmt(x)).append("\" y=\"").append(HEIGHT - BOTTOM + 16).append("\" class=\"xlabel\">")
                    .append(number(xMin + (xMax - xMin) * fy)).append("</text>\n");
        }
        sb.append("<text x=\"").append(fmt(LEFT + plotW / 2)).append("\" y=\"").append(HEIGHT - 4)
                .append("\" class=\"xlabel\">step</text>\n");
        StringBuilder pts = new StringBuilder();
        for (int i = 0; i < s.size(); i++) {
            double x = LEFT + plotW * (s.steps()[i] - xMin) / (xMax - xMin);
            double y = TOP + plotH * (1 - (s.values()[i] - yMin) / (yMax - yMin));
            pts.append(i == 0 ? "" : " ").append(fmt(x)).append(',').append(fmt(y));
        }
        sb.append("<polyline points=\"").append(pts).append("\" class=\"line\"/>\n");
        if (s.size() <= 40) {
            for (String p : pts.toString().split(" ")) {
                String[] xy = p.split(",");
                sb.append("<circle cx=\"").append(xy[0]).append("\" cy=\"").append(xy[1]).append("\" r=\"2.5\" class=\"dot\"/>\n");
            }
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static double min(double[] a) {
        double m = Double.POSITIVE_INFINITY;
        for (double v : a) {
            m = Math.min(m, v);
        }
        return m;
    }

    private static double max(double[] a) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : a) {
            m = Math.max(m, v);
        }
        return m;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** A tick label: plain for moderate magnitudes, scientific for very small or large ones. */
    static String number(double v) {
        double a = Math.abs(v);
        if (a != 0 && (a < 1e-3 || a >= 1e6)) {
            return String.format(Locale.ROOT, "%.3g", v);
        }
        String s = String.format(Locale.ROOT, "%.4f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
