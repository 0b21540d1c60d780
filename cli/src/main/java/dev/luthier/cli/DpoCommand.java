package dev.luthier.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.luthier.cli.connect.ServerOptions;
import dev.luthier.cli.connect.TokenizerLookup;
import dev.luthier.cli.progress.TerminalProgressBar;
import dev.luthier.cookbook.config.ConfigOverrides;
import dev.luthier.cookbook.dpo.DpoConfig;
import dev.luthier.cookbook.dpo.DpoResult;
import dev.luthier.cookbook.dpo.DpoTraining;
import dev.luthier.cookbook.preferences.PreferenceDatasets;
import dev.luthier.cookbook.renderers.HfTokenizers;
import dev.luthier.cookbook.renderers.Renderers;
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
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code luthier dpo [--base-url URL | --data DIR] key=value ...}: Direct Preference Optimization of a LoRA adapter on
 * preference pairs ({@link DpoTraining}), any {@link DpoConfig} setting given as {@code key=value}.
 */
@Command(name = "dpo", mixinStandardHelpOptions = true,
        description = {"Direct Preference Optimization of a LoRA adapter on preference pairs (HH-RLHF or"
                + " {\"prompt\", \"chosen\", \"rejected\"} JSONL).",
                "Settings are key=value, e.g. modelName=Qwen/Qwen3-0.6B data=pairs.jsonl renderer=qwen3 beta=0.1"
                        + " learningRate=1e-5 batchSize=32 maxSteps=100 saveEvery=20 logDir=runs/dpo. Malformed lines are"
                        + " skipped and counted. Started again with the same logDir, a run resumes from its last"
                        + " checkpoint (one every saveEvery steps)."})
public final class DpoCommand implements Callable<Integer> {
    @Mixin
    ServerOptions server;

    @Option(names = "--json", description = "end with the result as one JSON object (progress goes to stderr)")
    boolean json;

    @Parameters(paramLabel = "key=value", description = "settings of the run (see DpoConfig)")
    List<String> settings = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Map<String, String> overrides = new java.util.LinkedHashMap<>(ConfigOverrides.parse(settings));
        if (!overrides.containsKey("modelName")) {
            throw new IllegalArgumentException("set modelName=NAME (the base model); valid settings: "
                    + String.join(", ", ConfigOverrides.describe(DpoConfig.defaults("m")).keySet()));
        }
        overrides.putIfAbsent("logDir", Path.of("runs", "dpo-" + LocalDateTime.now()
                .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))).toString());
        DpoConfig config = ConfigOverrides.apply(DpoConfig.defaults(overrides.get("modelName")), overrides);
        Path data = config.data().orElseThrow(() -> new IllegalArgumentException(
                "set data=FILE (JSONL preference pairs: HH-RLHF chosen/rejected transcripts or prompt/chosen/rejected)"));
        PrintStream progressOut = json ? System.err : System.out;
        var loaded = PreferenceDatasets.loadSkippingMalformed(data, config.dataFormat());
        if (!loaded.skipped().isEmpty()) {
            progressOut.println("dpo: skipped " + loaded.skipped().size() + " malformed line(s), the first: "
                    + loaded.skipped().getFirst());
        }
        try (HfTokenizers.Adapter tokenizer = TokenizerLookup.open(config.tokenizer(), config.modelName(), server.models());
             ServerOptions.Connection connection = server.connect()) {
            var renderer = Renderers.create(config.renderer(), tokenizer);
            progressOut.println("dpo: " + config.modelName() + ", " + loaded.pairs().size() + " pairs, logs in " + config.logDir());
            DpoResult result = new DpoTraining(connection.service(), config, renderer, TerminalProgressBar.on(progressOut))
                    .train(loaded.pairs());
            if (json) {
                ObjectMapper mapper = new ObjectMapper();
                ObjectNode out = mapper.createObjectNode();
                out.put("sampler_path", result.samplerPath());
                out.put("state_path", result.statePath());
                out.put("steps", result.steps());
                out.put("already_finished", result.alreadyFinished());
                out.put("pairs", result.pairs());
                out.put("dropped_pairs", result.droppedPairs());
                out.put("skipped_lines", loaded.skipped().size());
                out.set("first", mapper.valueToTree(result.firstMetrics()));
                out.set("last", mapper.valueToTree(result.lastMetrics()));
                out.put("log_dir", config.logDir().toString());
                System.out.println(mapper.writeValueAsString(out));
            } else {
                if (result.alreadyFinished()) {
                    System.out.println("dpo: " + config.logDir() + " already holds this run's final checkpoint; nothing to do");
                }
                System.out.printf("dpo loss %.4f -> %.4f, accuracy %.2f -> %.2f%n", result.firstMetrics().get("dpo_loss"),
                        result.lastMetrics().get("dpo_loss"), result.firstMetrics().get("accuracy"),
                        result.lastMetrics().get("accuracy"));
                System.out.println("sampler weights: " + result.samplerPath());
                System.out.println("state:           " + result.statePath());
                System.out.println("report:          " + result.reportFile());
            }
        }
        return 0;
    }
}
