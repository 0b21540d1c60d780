package dev.luthier.cookbook.rl;

import dev.luthier.api.input.ModelInput;
import dev.luthier.api.sampling.Stop;
import dev.luthier.api.sampling.StopReason;
import dev.luthier.cookbook.problems.AnswerChecker;
import dev.luthier.cookbook.problems.Problem;
import dev.luthier.cookbook.renderers.Message;
import dev.luthier.cookbook.renderers.ParsedResponse;
import dev.luthier.cookbook.renderers.Renderer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A single-turn problem (the cookbook's {@code ProblemEnv}): the question, followed by the checker's instruction,
 * is rendered as a user message after an optional prefix of messages (a system prompt, few-shot examples); the
 * sampled reply is parsed with the renderer and graded. The reward is
 * {@code correct + formatCoef·(format − 1)}, where {@code format} is 1 when the reply ended on the renderer's stop
 * sequence and states an answer in the checker's format, and {@code correct} is 1 when that answer matches the
 * reference. Metrics {@code correct} and {@code format} are reported per step.
 */
public final class ProblemEnv implements Env {
    /** The Python cookbook's format coefficient for its math environments. */
    public static final double DEFAULT_FORMAT_COEF = 0.1;

    private final Renderer renderer;
    private final Problem problem;
    private final AnswerChecker checker;
    private final double formatCoef;
    private final List<Message> prefix;
    private String lastResponse;

    public ProblemEnv(Renderer renderer, Problem problem, AnswerChecker checker, double formatCoef, List<Message> prefix) {
        this.renderer = Objects.requireNonNull(renderer, "renderer");
        this.problem = Objects.requireNonNull(problem, "problem");
        this.checker = Objects.requireNonNull(checker, "checker");
        this.formatCoef = formatCoef;
        this.prefix = List.copyOf(prefix);
    }

    public Problem problem() {
        return problem;
    }

    /** The messages the model sees: the prefix and the question with the checker's instruction. */
    public List<Message> messages() {
        List<Message> out = new ArrayList<>(prefix);
        out.add(Message.user(problem.question() + checker.instruction()));
        return out;
    }

    @Override
    public Observation initialObservation() {
        return new Observation(ModelInput.ofTokens(renderer.buildGenerationPrompt(messages())), stopCondition(renderer));
    }

    @Override
    public StepResult step(int[] action, StopReason stopReason) {
        ParsedResponse parsed = renderer.parseResponse(action);
        String content = parsed.message().content();
        lastResponse = content;
        boolean format = parsed.stopped() && checker.formatOk(content);
        boolean correct = checker.correct(content, problem.answer());
        double reward = (correct ? 1 : 0) + formatCoef * ((format ? 1 : 0) - 1);
        return StepResult.done(reward, Map.of("correct", correct ? 1.0 : 0.0, "format", format ? 1.0 : 0.0));
    }

    /** The parsed text of the last reply this environment graded, or null before the first step. */
    public String lastResponse() {
        return lastResponse;
    }

    /** The renderer's stop tokens when it has any, else its stop strings, else none. */
    public static Stop stopCondition(Renderer renderer) {
        List<Integer> ids = renderer.stopTokenIds();
        if (!ids.isEmpty()) {
            return new Stop.Tokens(ids.stream().mapToInt(Integer::intValue).toArray());
        }
        return renderer.stopStrings().isEmpty() ? null : new Stop.Strings(renderer.stopStrings());
    }
}
