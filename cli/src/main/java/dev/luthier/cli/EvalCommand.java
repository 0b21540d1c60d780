package dev.luthier.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.luthier.cli.connect.ServerOptions;
import dev.luthier.cli.progress.TerminalProgressBar;
import dev.luthier.client.sampling.SamplingClient;
import dev.luthier.cookbook.config.ConfigOverrides;
import dev.luthier.cookbook.eval.EvalConfig;
import dev.luthier.cookbook.eval.EvalReport;
import dev.luthier.cookbook.eval.ProblemEvaluator;
import dev.luthier.cookbook.eval.ProblemResult;
import dev.luthier.cookbook.problems.Problem;
import dev.luthier.cookbook.renderers.HfTokenizers;
import dev.luthier.cookbook.renderers.Renderers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code luthier eval [--base-url URL | --data DIR] key=value ...}: accuracy of a base model or saved adapter on a
 * problem set, with pass@k over n samples per problem and greedy accuracy ({@link ProblemEvaluator}).
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Accuracy of a model on problems with checkable answers: pass@k and greedy accuracy.",
                "Settings are key=value, e.g. model=tinker://RUN/sampler_weights/final dataset=gsm8k"
                        + " testFile=test.jsonl testLimit=200 renderer=qwen3 samples=8 k=1,4,8 maxTokens=512"})
public final class EvalCommand implements Callable<Integer> {
    @Mixin
    ServerOptions server;

    @Option(names = "--json", description = "print the results as one JSON object (progress goes to stderr)")
    boolean json;

    @Parameters(paramLabel = "key=value", description = "settings (see EvalCommand.Settings and ProblemSettings)")
    List<String> settings = new ArrayList<>();

    /**
     * @param model       a base model name or a {@code tinker://} path of saved weights
     * @param samples     samples per problem (n)
     * @param k           the k of pass@k, comma-separated, each at most {@code samples}
     * @param maxTokens   most tokens per answer
     * @param temperature temperature of the samples
     * @param greedy      also decode one greedy answer per problem
     * @param seed        sampling seed (and the seed of the arithmetic test set)
     */
    public record Settings(String model, int samples, String k, int maxTokens, double temperature, boolean greedy,
                           long seed) {
        static Settings defaults() {
            return new Settings("unset", 4, "1,4", 256, 1.0, true, 0);
        }

        List<Integer> ks() {
            try {
                return Arrays.stream(k.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(Integer::parseInt).toList();
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("k must be comma-separated integers, got " + k);
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        SplitSettings split = SplitSettings.of(settings, Settings.defaults(), ProblemSettings.defaults());
        Settings s = ConfigOverrides.apply(Settings.defaults(), split.first());
        ProblemSettings problems = ConfigOverrides.apply(ProblemSettings.defaults(), split.second());
        if (s.model().equals("unset")) {
            throw new IllegalArgumentException("set model=NAME or model=tinker://... (what to evaluate)");
        }
        EvalConfig config = new EvalConfig(s.samples(), s.ks(), s.maxTokens(), s.temperature(), s.greedy(), s.seed());
        List<Problem> test = problems.testProblems(s.seed());
        if (test.isEmpty()) {
            throw new IllegalArgumentException("no problems: set testFile=FILE (or dataset=arithmetic) and testLimit > 0");
        }
        PrintStream progressOut = json ? System.err : System.out;
        try (ServerOptions.Connection connection = server.connect()) {
            SamplingClient sampler = connection.service().createSamplingClient(s.model());
            String baseModel = s.model().startsWith("tinker://") ? sampler.getInfo().baseModel() : s.model();
            try (HfTokenizers.Adapter tokenizer = problems.openTokenizer(server, baseModel)) {
                ProblemEvaluator evaluator = new ProblemEvaluator(Renderers.create(problems.renderer(), tokenizer),
                        problems.checker());
                EvalReport report = evaluator.evaluate(sampler, test, config, TerminalProgressBar.on(progressOut));
                print(s, report);
            }
        }
        return 0;
    }

    private void print(Settings s, EvalReport report) throws Exception {
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode out = mapper.createObjectNode();
            out.put("model", s.model());
            out.put("problems", report.problems().size());
            ObjectNode pass = out.putObject("pass_at_k");
            report.passAtK().forEach((k, v) -> pass.put(String.valueOf(k), v));
            putNumber(out, "sample_accuracy", report.sampleAccuracy());
            putNumber(out, "format_rate", report.formatRate());
            putNumber(out, "greedy_accuracy", report.greedyAccuracy());
            ArrayNode rows = out.putArray("per_problem");
            for (ProblemResult r : report.problems()) {
                ObjectNode row = rows.addObject();
                row.put("id", r.id());
                row.put("reference", r.reference());
                row.put("samples", r.samples());
                row.put("correct", r.correct());
                if (r.greedyCorrect() != null) {
                    row.put("greedy_correct", r.greedyCorrect());
                    row.put("greedy_response", r.greedyResponse());
                }
            }
            System.out.println(mapper.writeValueAsString(out));
            return;
        }
        System.out.println(s.model() + " on " + report.problems().size() + " problems");
        for (Map.Entry<Integer, Double> e : report.passAtK().entrySet()) {
            System.out.printf(Locale.ROOT, "pass@%-4d %.4f%n", e.getKey(), e.getValue());
        }
        System.out.printf(Locale.ROOT, "sample accuracy %.4f, well formatted %.4f%n", report.sampleAccuracy(), report.formatRate());
        if (!Double.isNaN(report.greedyAccuracy())) {
            System.out.printf(Locale.ROOT, "greedy accuracy %.4f%n", report.greedyAccuracy());
        }
    }

    private static void putNumber(ObjectNode out, String key, double v) {
        if (Double.isNaN(v)) {
            out.putNull(key);
        } else {
            out.put(key, v);
        }
    }
}
