package dev.luthier.cookbook.report;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A run's {@code report.html}: one line chart per numeric metric of its {@code metrics.jsonl} against step, a table
 * of each metric's last value, and the run's {@code config.json} when present. The page is self-contained (inline
 * SVG and CSS, no scripts, nothing fetched), so it opens anywhere, offline. Every recipe writes it when it ends.
 */
public final class HtmlReport {
    public static final String FILE_NAME = "report.html";
    public static final String METRICS_FILE = "metrics.jsonl";
    public static final String CONFIG_FILE = "config.json";

    private static final String STYLE = """
            body{font-family:system-ui,sans-serif;margin:24px;color:#222}
            h1{font-size:20px} .charts{display:flex;flex-wrap:wrap;gap:12px}
            svg{background:#fff;border:1px solid #ddd}
            .title{font-size:13px;font-weight:600} .frame{fill:none;stroke:#999}
            .grid{stroke:#eee} .ylabel{font-size:10px;text-anchor:end;fill:#555}
            .xlabel{font-size:10px;text-anchor:middle;fill:#555}
            .line{fill:none;stroke:#1f77b4;stroke-width:1.6} .dot{fill:#1f77b4}
            table{border-collapse:collapse;margin:12px 0} td,th{border:1px solid #ddd;padding:3px 8px;font-size:13px}
            td.num{text-align:right;font-family:monospace} pre{background:#f6f6f6;padding:8px;font-size:12px}
            """;

    private HtmlReport() {
    }

    /** Writes {@code logDir/report.html} from {@code logDir/metrics.jsonl}; returns the report's path. */
    public static Path write(Path logDir, String title) {
        Path metrics = logDir.resolve(METRICS_FILE);
        List<MetricSeries> series = Files.exists(metrics) ? MetricSeries.read(metrics) : List.of();
        String config = null;
        Path configFile = logDir.resolve(CONFIG_FILE);
        if (Files.exists(configFile)) {
            try {
                ObjectMapper json = new ObjectMapper();
                config = json.writerWithDefaultPrettyPrinter().writeValueAsString(json.readTree(configFile.toFile()));
            } catch (IOException e) {
                config = "(config.json unreadable: " + e.getMessage() + ")";
            }
        }
        Path out = logDir.resolve(FILE_NAME);
        try {
            Files.writeString(out, html(title, series, config), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** The page for these series; {@code config} (pretty JSON) may be null. */
    public static String html(String title, List<MetricSeries> series, String config) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(Html.escape(title))
                .append("</title>\n<style>").append(STYLE).append("</style></head><body>\n");
        sb.append("<h1>").append(Html.escape(title)).append("</h1>\n");
        if (series.isEmpty()) {
            sb.append("<p>No metrics were logged.</p>\n");
        } else {
            sb.append("<table><tr><th>metric</th><th>points</th><th>last step</th><th>last value</th></tr>\n");
            for (MetricSeries s : series) {
                sb.append("<tr><td>").append(Html.escape(s.name())).append("</td><td class=\"num\">").append(s.size())
                        .append("</td><td class=\"num\">").append(SvgLineChart.number(s.steps()[s.size() - 1]))
                        .append("</td><td class=\"num\">").append(SvgLineChart.number(s.last())).append("</td></tr>\n");
            }
            sb.append("</table>\n<div class=\"charts\">\n");
            for (MetricSeries s : series) {
                sb.append(SvgLineChart.render(s));
            }
            sb.append("</div>\n");
        }
        if (config != null) {
            sb.append("<h2>Configuration</h2>\n<pre>").append(Html.escape(config)).append("</pre>\n");
        }
        sb.append("</body></html>\n");
        return sb.toString();
    }
}
