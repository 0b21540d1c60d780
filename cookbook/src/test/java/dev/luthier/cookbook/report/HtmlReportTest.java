package dev.luthier.cookbook.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HtmlReportTest {

    @Test
    void oneChartPerNumericMetricWithPointsPlacedOnTheAxes(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("metrics.jsonl"), """
                {"step":0,"loss":3.0,"learning_rate":0.001,"phase":"train"}
                {"step":1,"loss":2.0,"learning_rate":0.001}
                {"step":2,"loss":1.0,"learning_rate":0.001,"test/bpb":5.5}
                {"step":3,"loss":0.5,"lear""");
        Files.writeString(dir.resolve("config.json"), "{\"model\":\"<tiny>\"}");
        Path report = HtmlReport.write(dir, "SFT run");
        String html = Files.readString(report);

        assertThat(Pattern.compile("<svg ").matcher(html).results().count()).isEqualTo(3);
        assertThat(html).contains(">loss</text>", ">learning_rate</text>", ">test/bpb</text>").doesNotContain(">phase</text>");
        // plot area: x from 64 to 464 (400 wide), y from 28 (top) to 224 (bottom); loss 3,2,1 over steps 0..2
        assertThat(html).contains("<polyline points=\"64.0,28.0 264.0,126.0 464.0,224.0\"");
        // a constant series is drawn mid-height rather than dividing by zero
        assertThat(html).contains("<polyline points=\"64.0,126.0 264.0,126.0 464.0,126.0\"");
        // a single point sits in the middle
        assertThat(html).contains("<polyline points=\"264.0,126.0\"");
        assertThat(html).contains("&lt;tiny&gt;").doesNotContain("<script").doesNotContain("src=").doesNotContain("href=");
    }

    @Test
    void aCorruptLineBeforeTheEndIsNamed(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("metrics.jsonl"), "{\"step\":0,\"loss\":1}\nnot json\n{\"step\":1,\"loss\":1}\n");
        assertThatThrownBy(() -> HtmlReport.write(dir, "x")).hasMessageContaining("metrics.jsonl:2");
    }

    @Test
    void noMetricsStillGivesAPage(@TempDir Path dir) throws Exception {
        assertThat(Files.readString(HtmlReport.write(dir, "empty"))).contains("No metrics were logged");
    }

    @Test
    void tickLabels() {
        assertThat(SvgLineChart.number(0.5)).isEqualTo("0.5");
        assertThat(SvgLineChart.number(3)).isEqualTo("3");
        assertThat(SvgLineChart.number(2e-5)).isEqualTo("2.00e-05");
    }
}
