package dev.luthier.cli.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code luthier bench}: the project's throughput benchmarks, printing JSON for scripts. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks: LoRA training and sampling throughput.",
        subcommands = {TrainBench.class, SampleBench.class, ServerBench.class})
public final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
