package dev.luthier.cookbook.arithmetic;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The plain-text documents a base model is pretrained on: training word problems written as
 * {@code "Question: ...\nAnswer: 7 + 5 = 12\n"}, and tables of sums, differences and products
 * ({@code "7 + 5 = 12\n9 * 3 = 27\n"}). It knows no chat roles: a model pretrained on it knows arithmetic and how a
 * worked answer looks, but has never seen a conversation.
 */
public final class PretrainingText {
    /** Of every this many documents, one is a table of facts; the rest are word problems. */
    private static final int FACT_TABLE_EVERY = 2;
    private static final int FACTS_PER_TABLE = 8;

    private PretrainingText() {
    }

    public static String problemDocument(WordProblem problem) {
        return "Question: " + problem.question() + "\nAnswer: " + problem.workedAnswer() + "\n";
    }

    /** The prompt the base model answers in its own format, for checking what pretraining taught it. */
    public static String problemPrompt(WordProblem problem) {
        return "Question: " + problem.question() + "\nAnswer:";
    }

    /**
     * {@code count} documents: the training problems in order, every {@value #FACT_TABLE_EVERY}th document a table
     * of random facts within the generator's number ranges.
     */
    public static List<String> documents(List<WordProblem> trainingProblems, int count, long seed) {
        for (WordProblem p : trainingProblems) {
            if (ProblemSplit.isHeldOut(p)) {
                throw new IllegalArgumentException("held-out problem in the pretraining corpus: " + p.question());
            }
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<String> out = new ArrayList<>(count);
        int next = 0;
        for (int i = 0; i < count; i++) {
            if (i % FACT_TABLE_EVERY == FACT_TABLE_EVERY - 1 || trainingProblems.isEmpty()) {
                StringBuilder table = new StringBuilder();
                for (int f = 0; f < FACTS_PER_TABLE; f++) {
                    table.append(fact(random)).append('\n');
                }
                out.add(table.toString());
            } else {
                out.add(problemDocument(trainingProblems.get(next++ % trainingProblems.size())));
            }
        }
        return out;
    }

    private static String fact(SplittableRandom random) {
        Operation op = Operation.values()[random.nextInt(Operation.values().length)];
        int[] x = WordProblemGenerator.operands(op, random);
        int a = x[0];
        int b = x[1];
        return a + " " + op.symbol() + " " + b + " = " + op.apply(a, b);
    }
}
