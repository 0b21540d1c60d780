package dev.luthier.cli.demo;

import dev.luthier.cli.basemodel.BaseModelBuilder;
import dev.luthier.client.ClientOptions;
import dev.luthier.client.ServiceClient;
import dev.luthier.cookbook.arithmetic.ArithmeticChat;
import dev.luthier.cookbook.arithmetic.ProblemSplit;
import dev.luthier.cookbook.arithmetic.WordProblem;
import dev.luthier.cookbook.arithmetic.WorkedAnswerChecker;
import dev.luthier.cookbook.data.Conversation;
import dev.luthier.cookbook.eval.EvalConfig;
import dev.luthier.cookbook.eval.EvalReport;
import dev.luthier.cookbook.eval.ProblemEvaluator;
import dev.luthier.cookbook.eval.ProblemResult;
import dev.luthier.cookbook.metrics.MetricsLog;
import dev.luthier.cookbook.problems.Problem;
import dev.luthier.cookbook.progress.ProgressListener;
import dev.luthier.cookbook.renderers.HfTokenizers;
import dev.luthier.cookbook.renderers.Renderer;
import dev.luthier.cookbook.renderers.Renderers;
import dev.luthier.cookbook.renderers.TrainOn;
import dev.luthier.cookbook.report.HtmlReport;
import dev.luthier.cookbook.rl.ProblemDataset;
import dev.luthier.cookbook.rl.RlConfig;
import dev.luthier.cookbook.rl.RlResult;
import dev.luthier.cookbook.rl.RlTrainer;
import dev.luthier.cookbook.sft.ScheduleKind;
import dev.luthier.cookbook.sft.SftConfig;
import dev.luthier.cookbook.sft.SftResult;
import dev.luthier.cookbook.sft.SupervisedTraining;
import dev.luthier.engine.tokenizer.HfTokenizer;
import dev.luthier.server.LuthierServer;
import dev.luthier.server.ServerConfig;
import dev.luthier.server.models.WorkerOptions;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The demo end to end: makes (or reuses) the base model, starts an embedded server on loopback with it, and through
 * the SDK only measures greedy accuracy on held-out word problems, trains a LoRA adapter with supervised fine-tuning
 * on training problems in the chat format, measures again, continues that adapter with RL (importance sampling,
 * group-relative advantages) on other training problems, and measures a last time. Writes {@code metrics.jsonl} and
 * {@code report.html} for the run and for each of its phases under {@code DATA/runs/demo-<time>}.
 */
public final class DemoRun {
    private static final String RENDERER = "role_colon";

    private DemoRun() {
    }

    public static DemoResult run(Path dataDir, DemoSettings s, ProgressListener progress, PrintStream out) throws Exception {
        long start = System.nanoTime();
        long cpuStart = cpuNanos();
        BaseModelBuilder.BaseModel base = BaseModelBuilder.ensure(dataDir, s.base(), progress);
        String model = s.base().name();
        out.println(base.reused() ? "base model: reusing " + base.dir()
                : String.format("base model: pretrained %s in %.0f s", base.dir(), base.seconds()));
        double ownFormat = BaseModelBuilder.ownFormatAccuracy(base.dir());
        if (!Double.isNaN(ownFormat)) {
            out.printf("base model: %.1f %% of held-out problems right in its own pretraining format (Question/Answer)%n",
                    100 * ownFormat);
        }

        Path runDir = dataDir.resolve("runs").resolve("demo-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
                + UUID.randomUUID().toString().substring(0, 4));
        String key = "tml-demo-" + UUID.randomUUID();
        ServerConfig serverConfig = ServerConfig.defaults(dataDir)
                .withPort("127.0.0.1", 0)
                .withModels(Map.of(model, base.dir()))
                .withBootstrapKeys(List.of(key))
                .withWorkerOptions(new WorkerOptions(8192, 64, 256, Duration.ofMinutes(2), 4096),
                        Runtime.getRuntime().availableProcessors());
        try (LuthierServer server = LuthierServer.start(serverConfig);
             ServiceClient service = new ServiceClient(ClientOptions.of("http://127.0.0.1:" + server.port(), key));
             HfTokenizers.Adapter tokenizer = HfTokenizers.open(base.dir().resolve(HfTokenizer.TOKENIZER_JSON))) {
            out.println("server: embedded on http://127.0.0.1:" + server.port() + ", driven through the SDK");
            Renderer renderer = Renderers.create(RENDERER, tokenizer);
            ProblemEvaluator evaluator = new ProblemEvaluator(renderer, WorkedAnswerChecker.INSTANCE);
            EvalConfig greedy = EvalConfig.greedyOnly(s.maxTokens());
            List<Problem> heldOut = ProblemSplit.heldOut(s.evalProblems(), s.seed()).stream()
                    .map(ArithmeticChat::problem).toList();
            // Training problems for SFT and RL are drawn from one seeded list, so the two phases never share one.
            List<WordProblem> train = ProblemSplit.train(s.sftSteps() * s.sftBatch() + s.rlSteps() * s.rlGroups(),
                    s.seed() + 1);
            List<Conversation> sftData = train.subList(0, s.sftSteps() * s.sftBatch()).stream()
                    .map(p -> new Conversation(ArithmeticChat.conversation(p))).toList();
            List<Problem> rlProblems = train.subList(s.sftSteps() * s.sftBatch(), train.size()).stream()
                    .map(ArithmeticChat::problem).toList();

            long t = System.nanoTime();
            EvalReport before = evaluator.evaluate(service.createSamplingClient(model), heldOut, greedy, progress);
            double evalSeconds = seconds(t);
            out.printf("held-out accuracy of the base model: %.1f %%%n", 100 * before.greedyAccuracy());

            t = System.nanoTime();
            SftConfig sftConfig = new SftConfig(model, Optional.empty(), RENDERER, Optional.empty(), Optional.empty(), 0,
                    s.rank(), s.sftLearningRate(), ScheduleKind.LINEAR, 0, s.sftBatch(), 1, Optional.of(s.sftSteps()),
                    256, TrainOn.LAST_ASSISTANT_MESSAGE, 0, 0, runDir.resolve("sft"), s.seed(), 0, 0);
            SftResult sft = new SupervisedTraining(sftConfig, renderer, progress).run(service, sftData, List.of());
            double sftSeconds = seconds(t);

            t = System.nanoTime();
            EvalReport afterSft = evaluator.evaluate(service.createSamplingClient(sft.samplerPath()), heldOut, greedy,
                    progress);
            evalSeconds += seconds(t);
            out.printf("held-out accuracy after SFT: %.1f %%%n", 100 * afterSft.greedyAccuracy());

            t = System.nanoTime();
            RlConfig rlConfig = RlConfig.defaults(model, runDir.resolve("rl"))
                    .withRank(s.rank())
                    .withLearningRate(s.rlLearningRate())
                    .withGroups(s.rlGroups(), s.rlGroupSize())
                    .withMaxTokens(s.maxTokens())
                    .withTemperature(s.rlTemperature())
                    .withSteps(s.rlSteps())
                    .withEvalAndSave(0, 0)
                    .withSeed(s.seed());
            RlResult rl = new RlTrainer(service, rlConfig,
                    new ProblemDataset(rlProblems, renderer, WorkedAnswerChecker.INSTANCE, s.seed()), List.of(), progress)
                    .run(service.createTrainingClientFromState(sft.statePath(), false));
            double rlSeconds = seconds(t);

            t = System.nanoTime();
            EvalReport after = evaluator.evaluate(service.createSamplingClient(rl.samplerPath()), heldOut, greedy,
                    progress);
            evalSeconds += seconds(t);
            out.printf("held-out accuracy after RL: %.1f %%%n", 100 * after.greedyAccuracy());

            try (MetricsLog log = MetricsLog.open(runDir)) {
                log.log(0, phase("base", before));
                log.log(1, phase("sft", afterSft));
                log.log(2, phase("rl", after));
            }
            Path report = HtmlReport.write(runDir, "Luthier demo: " + model + " on arithmetic word problems");
            printExamples(out, heldOut, before, afterSft, after);
            return new DemoResult(model, base.dir(), base.reused(), ownFormat, heldOut.size(), before.greedyAccuracy(),
                    afterSft.greedyAccuracy(), after.greedyAccuracy(), formatRate(before), formatRate(afterSft),
                    formatRate(after), base.seconds(), sftSeconds, rlSeconds, evalSeconds, seconds(start),
                    (cpuNanos() - cpuStart) / 1e9, runDir, report, rl.samplerPath());
        }
    }

    private static Map<String, Object> phase(String name, EvalReport report) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("phase", name);
        m.put("held_out_accuracy", report.greedyAccuracy());
        m.put("held_out_format", formatRate(report));
        return m;
    }

    /** The share of greedy answers in the worked format ({@code ... = n}). */
    static double formatRate(EvalReport report) {
        long ok = report.problems().stream()
                .filter(p -> p.greedyResponse() != null && WorkedAnswerChecker.INSTANCE.formatOk(p.greedyResponse()))
                .count();
        return report.problems().isEmpty() ? Double.NaN : (double) ok / report.problems().size();
    }

    private static void printExamples(PrintStream out, List<Problem> problems, EvalReport... reports) {
        out.println();
        for (int i = 0; i < Math.min(3, problems.size()); i++) {
            out.println("Q: " + problems.get(i).question() + "   (answer " + problems.get(i).answer() + ")");
            String[] labels = {"base", "SFT", "RL"};
            for (int r = 0; r < reports.length; r++) {
                ProblemResult p = reports[r].problems().get(i);
                out.printf("  %-4s -> %s%n", labels[r], oneLine(p.greedyResponse()));
            }
        }
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        String t = s.replace("\n", "\\n");
        return t.length() > 70 ? t.substring(0, 70) + "..." : t;
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    static long cpuNanos() {
        return ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class).getProcessCpuTime();
    }
}
