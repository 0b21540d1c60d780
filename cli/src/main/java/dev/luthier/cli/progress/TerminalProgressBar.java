package dev.luthier.cli.progress;

import dev.luthier.cookbook.progress.ProgressListener;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A recipe's progress on the terminal: on a terminal one line redrawn in place
 * ({@code sft [=======>        ] 12/40  30%  2.10 it/s  ETA 0:13  loss 1.23}); elsewhere (a pipe, a log file) a plain
 * line every 10% of the work, and at the end. The rate is measured from the first report of a task, so a resumed
 * run's skipped steps do not inflate it.
 */
public final class TerminalProgressBar implements ProgressListener {
    private static final int WIDTH = 24;
    private static final long PLAIN_EVERY_NANOS = 30_000_000_000L;

    private final PrintStream out;
    private final boolean interactive;
    private final LongSupplier nanoTime;

    private String task = "";
    private long total;
    private long startNanos;
    private long baseDone = -1;
    private long baseNanos;
    private long done;
    private String status = "";
    private long lastPlainDone = -1;
    private long lastPlainNanos;
    private int lastWidth;

    public TerminalProgressBar(PrintStream out, boolean interactive, LongSupplier nanoTime) {
        this.out = out;
        this.interactive = interactive;
        this.nanoTime = nanoTime;
    }

    /** A bar on {@code out}: redrawn in place when standard output is a terminal, plain lines otherwise. */
    public static TerminalProgressBar on(PrintStream out) {
        java.io.Console console = System.console();
        return new TerminalProgressBar(out, console != null && console.isTerminal(), System::nanoTime);
    }

    @Override
    public synchronized void start(String task, long total) {
        this.task = task;
        this.total = Math.max(0, total);
        this.startNanos = nanoTime.getAsLong();
        this.baseDone = -1;
        this.done = 0;
        this.status = "";
        this.lastPlainDone = -1;
        this.lastPlainNanos = startNanos;
        this.lastWidth = 0;
    }

    @Override
    public synchronized void advance(long done, String status) {
        long now = nanoTime.getAsLong();
        this.done = done;
        this.status = status == null ? "" : status;
        if (baseDone < 0) {
            baseDone = done;
            baseNanos = now;
        }
        if (interactive) {
            draw(line(now), false);
        } else if (plainLineDue(now)) {
            out.println(line(now));
            lastPlainDone = done;
            lastPlainNanos = now;
        }
    }

    @Override
    public synchronized void finish() {
        long now = nanoTime.getAsLong();
        String end = line(now) + String.format(Locale.ROOT, "  done in %s", duration((now - startNanos) / 1e9));
        if (interactive) {
            draw(end, true);
        } else {
            out.println(end);
        }
    }

    private boolean plainLineDue(long now) {
        if (lastPlainDone < 0) {
            return true;
        }
        if (total > 0 && (done * 10 / total) > (lastPlainDone * 10 / total)) {
            return true;
        }
        return now - lastPlainNanos >= PLAIN_EVERY_NANOS;
    }

    private void draw(String line, boolean last) {
        StringBuilder sb = new StringBuilder("\r").append(line);
        for (int i = line.length(); i < lastWidth; i++) {
            sb.append(' ');
        }
        lastWidth = line.length();
        out.print(sb);
        if (last) {
            out.println();
        }
        out.flush();
    }

    /** The progress line at time {@code now}, without carriage return. */
    synchronized String line(long now) {
        StringBuilder sb = new StringBuilder(task);
        if (total > 0) {
            int filled = (int) Math.min(WIDTH, done * WIDTH / total);
            sb.append(" [");
            for (int i = 0; i < WIDTH; i++) {
                sb.append(i < filled ? '=' : i == filled && done < total ? '>' : ' ');
            }
            sb.append("] ").append(done).append('/').append(total)
                    .append(String.format(Locale.ROOT, " %3d%%", done * 100 / total));
        } else {
            sb.append(' ').append(done);
        }
        double rate = rate(now);
        if (rate > 0) {
            sb.append(String.format(Locale.ROOT, "  %.2f it/s", rate));
            if (total > 0 && done < total) {
                sb.append("  ETA ").append(duration((total - done) / rate));
            }
        }
        if (!status.isEmpty()) {
            sb.append("  ").append(status);
        }
        return sb.toString();
    }

    /** Units per second since the first report; 0 before any unit was measured. */
    double rate(long now) {
        if (baseDone < 0 || done <= baseDone || now <= baseNanos) {
            return 0;
        }
        return (done - baseDone) / ((now - baseNanos) / 1e9);
    }

    /** {@code m:ss}, or {@code h:mm:ss} from an hour. */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
        }
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
