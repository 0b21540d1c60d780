package dev.luthier.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.luthier.cli.connect.ServerOptions;
import dev.luthier.cli.connect.TokenizerLookup;
import dev.luthier.cli.progress.TerminalProgressBar;
import dev.luthier.cookbook.config.ConfigOverrides;
import dev.luthier.cookbook.renderers.HfTokenizers;
import dev.luthier.cookbook.renderers.Renderer;
import dev.luthier.cookbook.renderers.Renderers;
import dev.luthier.cookbook.sft.SftConfig;
import dev.luthier.cookbook.sft.SftResult;
import dev.luthier.cookbook.sft.SupervisedTraining;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code luthier sft [--base-url URL | --data DIR] key=value ...}: supervised fine-tuning of a LoRA adapter on a chat
 * data set ({@link SupervisedTraining}), with any {@link SftConfig} setting given as {@code key=value}.
 */
@Command(name = "sft", mixinStandardHelpOptions = true,
        description = {"Supervised fine-tuning of a LoRA adapter on chat data (JSONL messages or ShareGPT).",
                "Settings are key=value, e.g. modelName=Qwen/Qwen3-0.6B data=chat.jsonl renderer=qwen3 learningRate=2e-4"
                        + " batchSize=8 maxSteps=100 logDir=runs/a. Started again with the same logDir, a run resumes"
                        + " from its last checkpoint."})
public final class SftCommand implements Callable<Integer> {
    @Mixin
    ServerOptions server;

    @Option(names = "--json", description = "end with the result as one JSON object (progress goes to stderr)")
    boolean json;

    @Parameters(paramLabel = "key=value", description = "settings of the run (see SftConfig)")
    List<String> settings = new ArrayList<>();

    /** The settings before overrides; modelName and data must be given. */
    static SftConfig defaults() {
        Path logDir = Path.of("runs", "sft-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        return SftConfig.defaults("unset", null, logDir);
    }

    @Override
    public Integer call() throws Exception {
        SftConfig config = ConfigOverrides.apply(defaults(), ConfigOverrides.parse(settings));
        if (config.modelName().equals("unset")) {
            throw new IllegalArgumentException("set modelName=NAME (the base model); valid settings: "
                    + String.join(", ", ConfigOverrides.describe(config).keySet()));
        }
        if (config.data().isEmpty()) {
            throw new IllegalArgumentException("set data=FILE (JSONL with {\"messages\": [...]} or ShareGPT)");
        }
        PrintStream progressOut = json ? System.err : System.out;
        try (HfTokenizers.Adapter tokenizer = TokenizerLookup.open(config.tokenizer(), config.modelName(), server.models());
             ServerOptions.Connection connection = server.connect()) {
            Renderer renderer = Renderers.create(config.renderer(), tokenizer);
            progressOut.println("sft: " + config.modelName() + ", logs in " + config.logDir());
            SftResult result = new SupervisedTraining(config, renderer, TerminalProgressBar.on(progressOut)).run(connection.service());
            if (json) {
                ObjectMapper mapper = new ObjectMapper();
                ObjectNode out = mapper.createObjectNode();
                out.put("sampler_path", result.samplerPath());
                out.put("state_path", result.statePath());
                out.put("steps", result.steps());
                out.put("already_finished", result.alreadyFinished());
                out.set("train", mapper.valueToTree(result.trainMetrics()));
                out.set("eval", mapper.valueToTree(result.evalMetrics()));
                out.put("log_dir", result.logDir().toString());
                System.out.println(mapper.writeValueAsString(out));
            } else {
                if (result.alreadyFinished()) {
                    System.out.println("sft: " + result.logDir() + " already holds this run's final checkpoint; nothing to do");
                }
                System.out.println("sampler weights: " + result.samplerPath());
                System.out.println("state:           " + result.statePath());
                System.out.println("report:          " + result.logDir().resolve("report.html"));
            }
        }
        return 0;
    }
}
