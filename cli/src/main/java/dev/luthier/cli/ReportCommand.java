package dev.luthier.cli;

import dev.luthier.cookbook.report.HtmlReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code luthier report LOGDIR}: (re)writes a run's report.html from its metrics.jsonl, e.g. while it is running. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write LOGDIR/report.html (one chart per metric of LOGDIR/metrics.jsonl); self-contained, opens offline.")
public final class ReportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "LOGDIR", description = "a recipe's log directory")
    Path logDir;

    @Option(names = "--title", description = "page title (default: the directory's name)")
    String title;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(logDir.resolve(HtmlReport.METRICS_FILE))) {
            throw new IllegalArgumentException(logDir + " has no " + HtmlReport.METRICS_FILE);
        }
        Path out = HtmlReport.write(logDir, title != null ? title : String.valueOf(logDir.toAbsolutePath().getFileName()));
        System.out.println(out);
        return 0;
    }
}
