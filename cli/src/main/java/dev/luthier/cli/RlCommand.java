package dev.luthier.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.luthier.cli.connect.ServerOptions;
import dev.luthier.cli.progress.TerminalProgressBar;
import dev.luthier.cookbook.config.ConfigOverrides;
import dev.luthier.cookbook.problems.Problem;
import dev.luthier.cookbook.renderers.HfTokenizers;
import dev.luthier.cookbook.renderers.Renderer;
import dev.luthier.cookbook.renderers.Renderers;
import dev.luthier.cookbook.rl.ProblemDataset;
import dev.luthier.cookbook.rl.RlConfig;
import dev.luthier.cookbook.rl.RlResult;
import dev.luthier.cookbook.rl.RlTrainer;
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
import java.util.Locale;
import java.util.Map;

/**
 * {@code luthier rl [--base-url URL | --data DIR] key=value ...}: RL on problems with checkable answers
 * ({@link RlTrainer} over {@link ProblemDataset}); settings are those of {@link RlConfig} and {@link ProblemSettings}.
 */
@Command(name = "rl", mixinStandardHelpOptions = true,
        description = {"Reinforcement learning of a LoRA adapter on problems with checkable answers.",
                "Settings are key=value, e.g. modelName=Qwen/Qwen3-0.6B dataset=gsm8k trainFile=train.jsonl"
                        + " testFile=test.jsonl renderer=qwen3 groupsPerBatch=16 groupSize=8 learningRate=4e-5"
                        + " maxTokens=512 steps=50 loss=ppo mode=async maxStaleness=2 klPenaltyCoef=0.01 logDir=runs/a",
                "loss is importance_sampling (default), ppo, cispo or dro; ppo and cispo take clipLowThreshold and"
                        + " clipHighThreshold (ratio bounds; defaults 0.8/1.2 for ppo, 0/4 for cispo), dro takes droBeta"
                        + " (default 0.1). numSubsteps=K splits each batch into K minibatches, each with its own"
                        + " optimizer step.",
                "Checkpoints go to logDir/checkpoints.jsonl every saveEvery steps; run again with the same logDir"
                        + " (and the same model, rank, seed, groupsPerBatch, groupSize and mode) to resume from the"
                        + " last one."})
public final class RlCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin
    ServerOptions server;

    @Option(names = "--json", description = "end with the result as one JSON object (progress goes to stderr)")
    boolean json;

    @Parameters(paramLabel = "key=value", description = "settings of the run (see RlConfig and ProblemSettings)")
    List<String> settings = new ArrayList<>();

    static RlConfig defaults() {
        Path logDir = Path.of("runs", "rl-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        return RlConfig.defaults("unset", logDir);
    }

    @Override
    public Integer call() throws Exception {
        SplitSettings split = SplitSettings.of(settings, defaults(), ProblemSettings.defaults());
        RlConfig config = ConfigOverrides.apply(defaults(), split.first());
        ProblemSettings problems = ConfigOverrides.apply(ProblemSettings.defaults(), split.second());
        if (config.modelName().equals("unset")) {
            throw new IllegalArgumentException("set modelName=NAME (the base model)");
        }
        List<Problem> train = problems.trainProblems(config.seed());
        List<Problem> test = problems.testProblems(config.seed());
        PrintStream progressOut = json ? System.err : System.out;
        try (HfTokenizers.Adapter tokenizer = problems.openTokenizer(server, config.modelName());
             ServerOptions.Connection connection = server.connect()) {
            Renderer renderer = Renderers.create(problems.renderer(), tokenizer);
            ProblemDataset trainSet = new ProblemDataset(train, renderer, problems.checker(), problems.formatCoef(),
                    List.of(), config.seed());
            ProblemDataset testSet = test.isEmpty() ? null : new ProblemDataset(test, renderer, problems.checker(),
                    problems.formatCoef(), List.of(), config.seed());
            progressOut.println("rl: " + config.modelName() + " on " + train.size() + " " + problems.dataset()
                    + " problems, logs in " + config.logDir());
            RlResult result = new RlTrainer(connection.service(), config, trainSet,
                    testSet == null ? List.of() : testSet.allGroups(), TerminalProgressBar.on(progressOut)).run();
            if (json) {
                ObjectMapper mapper = new ObjectMapper();
                ObjectNode out = mapper.createObjectNode();
                out.put("sampler_path", result.samplerPath());
                out.put("state_path", result.statePath());
                out.put("steps", config.steps());
                out.put("already_finished", result.alreadyFinished());
                out.set("final", mapper.valueToTree(result.finalMetrics()));
                out.put("log_dir", config.logDir().toString());
                System.out.println(mapper.writeValueAsString(out));
            } else {
                if (result.alreadyFinished()) {
                    System.out.println("rl: " + config.logDir() + " already holds this run's final checkpoint; nothing to do");
                }
                for (Map.Entry<String, Double> e : result.finalMetrics().entrySet()) {
                    System.out.printf(Locale.ROOT, "%-28s %.4f%n", e.getKey(), e.getValue());
                }
                System.out.println("sampler weights: " + result.samplerPath());
                System.out.println("state:           " + result.statePath());
                System.out.println("metrics:         " + config.logDir().resolve("metrics.jsonl"));
            }
        }
        return 0;
    }
}
