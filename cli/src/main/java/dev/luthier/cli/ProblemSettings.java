package dev.luthier.cli;

import dev.luthier.cli.connect.ServerOptions;
import dev.luthier.cli.connect.TokenizerLookup;
import dev.luthier.cookbook.problems.AnswerChecker;
import dev.luthier.cookbook.problems.ArithmeticProblems;
import dev.luthier.cookbook.problems.Problem;
import dev.luthier.cookbook.problems.ProblemFiles;
import dev.luthier.cookbook.renderers.HfTokenizers;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The problem settings of {@code luthier rl} and {@code luthier eval}, set as {@code key=value} like the run's own
 * settings.
 *
 * @param renderer    chat renderer ({@code role_colon}, {@code qwen3}, {@code llama3}, ...)
 * @param tokenizer   a {@code tokenizer.json} or its directory; by default the base model's local one
 * @param dataset     {@code arithmetic} (synthetic additions), {@code gsm8k}, {@code math} or {@code plain} JSONL
 * @param trainFile   the training problems (not for {@code arithmetic})
 * @param testFile    the test problems; {@code arithmetic} makes its own
 * @param answers     how replies are graded: {@code boxed}, {@code hash_marked}, {@code bare_number}, or {@code auto}
 *                    ({@code bare_number} for arithmetic, {@code boxed} otherwise, as the Python cookbook asks for
 *                    {@code \boxed{}} on GSM8K and MATH)
 * @param formatCoef  the reward's format coefficient
 * @param testLimit   at most this many test problems (0: none)
 * @param arithmeticMax largest operand of the arithmetic problems
 */
public record ProblemSettings(String renderer, Optional<Path> tokenizer, String dataset, Optional<Path> trainFile,
                              Optional<Path> testFile, String answers, double formatCoef, int testLimit,
                              int arithmeticMax) {

    public static ProblemSettings defaults() {
        return new ProblemSettings("role_colon", Optional.empty(), "arithmetic", Optional.empty(), Optional.empty(),
                "auto", 0.1, 50, 9);
    }

    public AnswerChecker checker() {
        String a = answers.equals("auto") ? (dataset.equals("arithmetic") ? "bare_number" : "boxed") : answers;
        return switch (a) {
            case "boxed" -> AnswerChecker.boxed();
            case "hash_marked" -> AnswerChecker.hashMarked();
            case "bare_number" -> AnswerChecker.bareNumber();
            default -> throw new IllegalArgumentException("answers must be auto, boxed, hash_marked or bare_number, not " + answers);
        };
    }

    public List<Problem> trainProblems(long seed) {
        if (dataset.equals("arithmetic")) {
            return ArithmeticProblems.addition(1000, arithmeticMax, seed);
        }
        return ProblemFiles.load(trainFile.orElseThrow(() -> new IllegalArgumentException(
                "dataset=" + dataset + " needs trainFile=FILE")), format());
    }

    public List<Problem> testProblems(long seed) {
        List<Problem> all;
        if (dataset.equals("arithmetic")) {
            all = ArithmeticProblems.addition(testLimit, arithmeticMax, seed + 1);
        } else if (testFile.isPresent()) {
            all = ProblemFiles.load(testFile.get(), format());
        } else {
            return List.of();
        }
        return all.subList(0, Math.min(testLimit, all.size()));
    }

    ProblemFiles.Format format() {
        return switch (dataset) {
            case "gsm8k" -> ProblemFiles.Format.GSM8K;
            case "math" -> ProblemFiles.Format.MATH;
            case "plain" -> ProblemFiles.Format.PLAIN;
            default -> throw new IllegalArgumentException("dataset must be arithmetic, gsm8k, math or plain, not " + dataset);
        };
    }

    /** {@code tokenizer=} when set, else the tokenizer in the base model's local directory. */
    public HfTokenizers.Adapter openTokenizer(ServerOptions server, String baseModel) throws Exception {
        return TokenizerLookup.open(tokenizer, baseModel, server.models());
    }
}
