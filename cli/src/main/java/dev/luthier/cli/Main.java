package dev.luthier.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code luthier} command. */
@Command(name = "luthier", mixinStandardHelpOptions = true, version = "luthier 0.1.0",
        description = "Luthier: an open fine-tuning service and engine for language models.",
        subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        int code = new CommandLine(new Main()).execute(args);
        System.exit(code);
    }
}
