package dev.luthier.cookbook.eval;

import dev.luthier.api.sampling.SampleResponse;
import dev.luthier.api.sampling.SampledSequence;
import dev.luthier.api.sampling.SamplingParams;
import dev.luthier.client.sampling.SamplingClient;
import dev.luthier.cookbook.problems.AnswerChecker;
import dev.luthier.cookbook.problems.Problem;
import dev.luthier.cookbook.progress.ProgressListener;
import dev.luthier.cookbook.renderers.Message;
import dev.luthier.cookbook.renderers.Renderer;
import dev.luthier.cookbook.rl.ChunkedSampling;
import dev.luthier.cookbook.rl.Observation;
import dev.luthier.cookbook.rl.ProblemEnv;
import dev.luthier.cookbook.rl.StepResult;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Evaluates a sampler on problems: each problem is rendered and graded exactly as {@link ProblemEnv} does in RL
 * training, sampled {@code n} times (pass@k) and optionally once greedily. Problems are evaluated a window at a time
 * so that large sets do not flood the server.
 */
public final class ProblemEvaluator {
    private static final int WINDOW = 32;

    private final Renderer renderer;
    private final AnswerChecker checker;
    private final List<Message> prefix;
    private final int samplesPerRequest;

    public ProblemEvaluator(Renderer renderer, AnswerChecker checker, List<Message> prefix) {
        this(renderer, checker, prefix, ChunkedSampling.DEFAULT_SAMPLES_PER_REQUEST);
    }

    private ProblemEvaluator(Renderer renderer, AnswerChecker checker, List<Message> prefix, int samplesPerRequest) {
        this.renderer = renderer;
        this.checker = checker;
        this.prefix = List.copyOf(prefix);
        this.samplesPerRequest = samplesPerRequest;
    }

    /**
     * This evaluator asking for at most {@code n} samples per request (a Luthier server decodes at most its sampler
     * slots at once; {@link ChunkedSampling#DEFAULT_SAMPLES_PER_REQUEST} by default).
     */
    public ProblemEvaluator withSamplesPerRequest(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("samples per request must be at least 1, got " + n);
        }
        return new ProblemEvaluator(renderer, checker, prefix, n);
    }

    public ProblemEvaluator(Renderer renderer, AnswerChecker checker) {
        this(renderer, checker, List.of());
    }

    public EvalReport evaluate(SamplingClient sampler, List<Problem> problems, EvalConfig config) {
        return evaluate(sampler, problems, config, ProgressListener.NONE);
    }

    public EvalReport evaluate(SamplingClient sampler, List<Problem> problems, EvalConfig config, ProgressListener progress) {
        List<ProblemResult> results = new ArrayList<>(problems.size());
        progress.start("eval", problems.size());
        try {
            for (int from = 0; from < problems.size(); from += WINDOW) {
                List<CompletableFuture<ProblemResult>> window = new ArrayList<>();
                for (int i = from; i < Math.min(problems.size(), from + WINDOW); i++) {
                    window.add(evaluateOne(sampler, problems.get(i), config, i));
                }
                for (CompletableFuture<ProblemResult> f : window) {
                    results.add(f.join());
                }
                progress.advance(results.size(), "");
            }
        } finally {
            progress.finish();
        }
        return EvalReport.of(results, config.ks());
    }

    private CompletableFuture<ProblemResult> evaluateOne(SamplingClient sampler, Problem problem, EvalConfig config, int index) {
        Observation ob = new ProblemEnv(renderer, problem, checker, 0, prefix).initialObservation();
        BigInteger seed = BigInteger.valueOf(config.seed()).multiply(BigInteger.valueOf(1_000_003L)).add(BigInteger.valueOf(index));
        CompletableFuture<List<SampledSequence>> sampled = config.samples() == 0
                ? CompletableFuture.completedFuture(List.of())
                : ChunkedSampling.sample(sampler, ob.input(), config.samples(), samplesPerRequest,
                new SamplingParams(config.maxTokens(), seed, ob.stop(), config.temperature(), -1, 1.0));
        CompletableFuture<SampleResponse> greedy = !config.greedy()
                ? CompletableFuture.completedFuture(null)
                : sampler.sample(ob.input(), 1, new SamplingParams(config.maxTokens(), seed, ob.stop(), 0.0, -1, 1.0));
        return sampled.thenCombine(greedy, (s, g) -> {
            int correct = 0;
            int formatted = 0;
            List<String> responses = new ArrayList<>();
            for (SampledSequence seq : s) {
                Graded graded = grade(problem, seq);
                correct += graded.correct ? 1 : 0;
                formatted += graded.format ? 1 : 0;
                responses.add(graded.response);
            }
            Boolean greedyCorrect = null;
            String greedyResponse = null;
            if (g != null) {
                Graded graded = grade(problem, g.sequences().getFirst());
                greedyCorrect = graded.correct;
                greedyResponse = graded.response;
            }
            return new ProblemResult(problem.id(), problem.answer(), s.size(), correct, formatted, responses,
                    greedyCorrect, greedyResponse);
        });
    }

    private record Graded(boolean correct, boolean format, String response) {
    }

    private Graded grade(Problem problem, SampledSequence seq) {
        ProblemEnv env = new ProblemEnv(renderer, problem, checker, 0, prefix);
        StepResult r = env.step(seq.tokens(), seq.stopReason());
        return new Graded(r.metrics().get("correct") == 1.0, r.metrics().get("format") == 1.0, env.lastResponse());
    }
}
