package dev.luthier.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code luthier} command. */
@Command(name = "luthier", mixinStandardHelpOptions = true, version = "luthier 0.1.0",
        description = "Luthier: an open fine-tuning service and engine for language models.",
        subcommands = {DemoCommand.class, ServeCommand.class, ScoreCommand.class, SftCommand.class, ExportCommand.class, ReportCommand.class, RlCommand.class, EvalCommand.class, DpoCommand.class, DistillCommand.class, SampleCommand.class, RunsCommand.class, dev.luthier.cli.checkpoints.CheckpointsCommand.class, dev.luthier.cli.bench.BenchCommand.class, dev.luthier.cli.admin.TenantsCommand.class, dev.luthier.cli.admin.KeysCommand.class, dev.luthier.cli.admin.UsageCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        int code = configure(new CommandLine(new Main())).execute(args);
        System.exit(code);
    }

    /**
     * Reports user errors (bad arguments, missing files) and server errors (unreachable, 404, failed requests) as one
     * line and exit code 2 instead of a stack trace.
     */
    static CommandLine configure(CommandLine cli) {
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            Throwable cause = e;
            while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof IllegalArgumentException || cause instanceof java.io.IOException
                    || cause instanceof java.io.UncheckedIOException || cause instanceof dev.luthier.client.errors.LuthierException) {
                cmd.getErr().println("luthier: " + cause.getMessage());
                return 2;
            }
            throw e;
        });
        return cli;
    }
}
