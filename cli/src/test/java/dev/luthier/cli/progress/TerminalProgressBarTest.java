package dev.luthier.cli.progress;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class TerminalProgressBarTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void barRateAndEtaOnATerminal() {
        AtomicLong clock = new AtomicLong();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TerminalProgressBar bar = new TerminalProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, clock::get);
        bar.start("sft", 40);
        bar.advance(0, "");
        clock.set(5 * SECOND);
        bar.advance(10, "loss 1.50");
        // 10 steps in 5 s: 2 it/s, 30 left: 15 s; a quarter of 24 columns filled
        assertThat(bar.line(clock.get())).isEqualTo("sft [======>                 ] 10/40  25%  2.00 it/s  ETA 0:15  loss 1.50");
        clock.set(20 * SECOND);
        bar.advance(40, "loss 0.20");
        bar.finish();
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).startsWith("\rsft [").contains("\rsft [========================] 40/40 100%  2.00 it/s  loss 0.20  done in 0:20\n");
        assertThat(out.chars().filter(c -> c == '\n').count()).isEqualTo(1);
    }

    @Test
    void aResumedTaskMeasuresItsRateFromItsFirstReport() {
        AtomicLong clock = new AtomicLong();
        TerminalProgressBar bar = new TerminalProgressBar(new PrintStream(new ByteArrayOutputStream()), true, clock::get);
        bar.start("sft", 100);
        bar.advance(50, "resumed");
        clock.set(10 * SECOND);
        bar.advance(60, "");
        assertThat(bar.rate(clock.get())).isEqualTo(1.0);
        assertThat(bar.line(clock.get())).contains("ETA 0:40");
    }

    @Test
    void plainLinesEveryTenthWhenNotATerminal() {
        AtomicLong clock = new AtomicLong();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TerminalProgressBar bar = new TerminalProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, clock::get);
        bar.start("rl", 100);
        for (int i = 0; i <= 100; i++) {
            clock.set(i * SECOND / 10);
            bar.advance(i, "");
        }
        bar.finish();
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).doesNotContain("\r");
        // the first report, one per 10%, and the closing line
        assertThat(out.lines().count()).isEqualTo(12);
        assertThat(out.lines().toList().getLast()).endsWith("done in 0:10");
    }

    @Test
    void durations() {
        assertThat(TerminalProgressBar.duration(59.4)).isEqualTo("0:59");
        assertThat(TerminalProgressBar.duration(3725)).isEqualTo("1:02:05");
    }
}
