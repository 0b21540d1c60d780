package dev.luthier.cookbook.eval;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The results of an evaluation: per problem, and in aggregate the mean pass@k for each k, the fraction of all
 * samples that were correct and well formatted, and greedy accuracy (NaN when greedy decoding was not asked for).
 */
public record EvalReport(List<ProblemResult> problems, Map<Integer, Double> passAtK, double sampleAccuracy,
                         double formatRate, double greedyAccuracy) {
    public EvalReport {
        problems = List.copyOf(problems);
        passAtK = java.util.Collections.unmodifiableMap(new TreeMap<>(passAtK));
    }

    /** Aggregates per-problem results; {@code ks} as in {@link EvalConfig}. */
    public static EvalReport of(List<ProblemResult> problems, List<Integer> ks) {
        Map<Integer, Double> pass = new TreeMap<>();
        for (int k : ks) {
            double sum = 0;
            for (ProblemResult p : problems) {
                sum += PassAtK.estimate(p.samples(), p.correct(), k);
            }
            pass.put(k, problems.isEmpty() ? Double.NaN : sum / problems.size());
        }
        long samples = 0;
        long correct = 0;
        long formatted = 0;
        int greedyN = 0;
        int greedyCorrect = 0;
        for (ProblemResult p : problems) {
            samples += p.samples();
            correct += p.correct();
            formatted += p.formatted();
            if (p.greedyCorrect() != null) {
                greedyN++;
                greedyCorrect += p.greedyCorrect() ? 1 : 0;
            }
        }
        return new EvalReport(problems, pass, samples == 0 ? Double.NaN : (double) correct / samples,
                samples == 0 ? Double.NaN : (double) formatted / samples,
                greedyN == 0 ? Double.NaN : (double) greedyCorrect / greedyN);
    }
}
