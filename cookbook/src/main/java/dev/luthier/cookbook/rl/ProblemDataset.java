package dev.luthier.cookbook.rl;

import dev.luthier.cookbook.problems.AnswerChecker;
import dev.luthier.cookbook.problems.Problem;
import dev.luthier.cookbook.renderers.Message;
import dev.luthier.cookbook.renderers.Renderer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Problems as an RL dataset: each group is one problem answered {@code groupSize} times by {@link ProblemEnv}s.
 * Problems are visited in a shuffled order, reshuffled every pass (each pass's order follows from the seed).
 */
public final class ProblemDataset implements RlDataset {
    private final List<Problem> problems;
    private final Renderer renderer;
    private final AnswerChecker checker;
    private final double formatCoef;
    private final List<Message> prefix;
    private final long seed;
    private long cachedPass = -1;
    private List<Integer> cachedOrder;

    public ProblemDataset(List<Problem> problems, Renderer renderer, AnswerChecker checker, double formatCoef,
                          List<Message> prefix, long seed) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("no problems");
        }
        this.problems = List.copyOf(problems);
        this.renderer = renderer;
        this.checker = checker;
        this.formatCoef = formatCoef;
        this.prefix = List.copyOf(prefix);
        this.seed = seed;
    }

    /** With the default format coefficient, no prefix messages. */
    public ProblemDataset(List<Problem> problems, Renderer renderer, AnswerChecker checker, long seed) {
        this(problems, renderer, checker, ProblemEnv.DEFAULT_FORMAT_COEF, List.of(), seed);
    }

    public List<Problem> problems() {
        return problems;
    }

    @Override
    public EnvGroupBuilder group(long index) {
        if (index < 0) {
            throw new IllegalArgumentException("negative index " + index);
        }
        return builder(problems.get(order(index / problems.size()).get((int) (index % problems.size()))));
    }

    private synchronized List<Integer> order(long pass) {
        if (pass != cachedPass) {
            List<Integer> order = new ArrayList<>(problems.size());
            for (int i = 0; i < problems.size(); i++) {
                order.add(i);
            }
            Collections.shuffle(order, new Random(seed * 1_000_003L + pass));
            cachedOrder = order;
            cachedPass = pass;
        }
        return cachedOrder;
    }

    /** The group of one problem. */
    public EnvGroupBuilder builder(Problem problem) {
        return new EnvGroupBuilder() {
            @Override
            public List<Env> makeEnvs(int groupSize) {
                List<Env> envs = new ArrayList<>(groupSize);
                for (int i = 0; i < groupSize; i++) {
                    envs.add(new ProblemEnv(renderer, problem, checker, formatCoef, prefix));
                }
                return envs;
            }

            @Override
            public String tag() {
                return problem.id();
            }
        };
    }

    /** One group per problem, in order (for evaluation sets). */
    public List<EnvGroupBuilder> allGroups() {
        return problems.stream().map(this::builder).toList();
    }
}
