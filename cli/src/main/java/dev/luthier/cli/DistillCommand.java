package dev.luthier.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.luthier.cli.connect.ServerOptions;
import dev.luthier.cli.connect.TokenizerLookup;
import dev.luthier.cli.progress.TerminalProgressBar;
import dev.luthier.cookbook.config.ConfigOverrides;
import dev.luthier.cookbook.distill.DistillConfig;
import dev.luthier.cookbook.distill.DistillResult;
import dev.luthier.cookbook.distill.OnPolicyDistillation;
import dev.luthier.cookbook.distill.PromptDatasets;
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
 * {@code luthier distill [--base-url URL | --data DIR] key=value ...}: on-policy distillation of a teacher into a LoRA
 * student ({@link OnPolicyDistillation}), any {@link DistillConfig} setting given as {@code key=value}.
 */
@Command(name = "distill", mixinStandardHelpOptions = true,
        description = {"On-policy distillation: the student samples, the teacher scores, the student learns to lower the"
                + " reverse KL.",
                "Settings are key=value, e.g. modelName=Qwen/Qwen3-0.6B teacher=tinker://RUN/sampler_weights/final"
                        + " data=prompts.jsonl renderer=qwen3 steps=50 groupSize=4 promptsPerStep=16 maxTokens=256"
                        + " saveEvery=10 logDir=runs/d. Started again with the same logDir, a run resumes from its last"
                        + " checkpoint (one every saveEvery steps)."})
public final class DistillCommand implements Callable<Integer> {
    @Mixin
    ServerOptions server;

    @Option(names = "--json", description = "end with the result as one JSON object (progress goes to stderr)")
    boolean json;

    @Parameters(paramLabel = "key=value", description = "settings of the run (see DistillConfig)")
    List<String> settings = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Map<String, String> overrides = new java.util.LinkedHashMap<>(ConfigOverrides.parse(settings));
        if (!overrides.containsKey("modelName") || !overrides.containsKey("teacher")) {
            throw new IllegalArgumentException("set modelName=NAME (the student's base model) and teacher=MODEL_OR_PATH;"
                    + " valid settings: " + String.join(", ", ConfigOverrides.describe(DistillConfig.defaults("m", "t")).keySet()));
        }
        overrides.putIfAbsent("logDir", Path.of("runs", "distill-" + LocalDateTime.now()
                .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))).toString());
        DistillConfig config = ConfigOverrides.apply(DistillConfig.defaults(overrides.get("modelName"), overrides.get("teacher")),
                overrides);
        Path data = config.data().orElseThrow(() -> new IllegalArgumentException(
                "set data=FILE (JSONL prompts: {\"prompt\": text or messages} or {\"messages\": [...]})"));
        var prompts = PromptDatasets.load(data);
        PrintStream progressOut = json ? System.err : System.out;
        try (HfTokenizers.Adapter tokenizer = TokenizerLookup.open(config.tokenizer(), config.modelName(), server.models());
             ServerOptions.Connection connection = server.connect()) {
            var renderer = Renderers.create(config.renderer(), tokenizer);
            progressOut.println("distill: " + config.teacher() + " -> " + config.modelName() + ", " + prompts.size()
                    + " prompts, logs in " + config.logDir());
            DistillResult result = new OnPolicyDistillation(connection.service(), config, renderer,
                    TerminalProgressBar.on(progressOut)).train(prompts);
            if (json) {
                ObjectMapper mapper = new ObjectMapper();
                ObjectNode out = mapper.createObjectNode();
                out.put("sampler_path", result.samplerPath());
                out.put("state_path", result.statePath());
                out.put("steps", result.steps());
                out.put("already_finished", result.alreadyFinished());
                out.set("first", mapper.valueToTree(result.firstMetrics()));
                out.set("last", mapper.valueToTree(result.lastMetrics()));
                out.put("log_dir", config.logDir().toString());
                System.out.println(mapper.writeValueAsString(out));
            } else {
                if (result.alreadyFinished()) {
                    System.out.println("distill: " + config.logDir() + " already holds this run's final checkpoint; nothing"
                            + " to do");
                }
                System.out.printf("reverse KL per token %.4f -> %.4f%n", result.firstMetrics().get("reverse_kl"),
                        result.lastMetrics().get("reverse_kl"));
                System.out.println("sampler weights: " + result.samplerPath());
                System.out.println("state:           " + result.statePath());
                System.out.println("report:          " + result.reportFile());
            }
        }
        return 0;
    }
}
