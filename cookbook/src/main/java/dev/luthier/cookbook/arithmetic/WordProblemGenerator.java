package dev.luthier.cookbook.arithmetic;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded arithmetic word problems with small numbers: additions of 1..10 and 1..10, subtractions from 2..15 with a
 * positive result, and multiplications of 2..6 by 2..6, each told in one of a few templates about a person and
 * things they have.
 */
public final class WordProblemGenerator {

    public static final List<String> NAMES = List.of("Tom", "Anna", "Ben", "Mia", "Sam", "Lily", "Max", "Emma", "Leo",
            "Zoe", "Jack", "Ella");
    public static final List<String> THINGS = List.of("apples", "pears", "books", "coins", "stickers", "marbles",
            "cards", "pens", "shells", "cookies");
    /** Containers for the multiplication templates, singular then plural. */
    public static final List<List<String>> CONTAINERS = List.of(List.of("bag", "bags"), List.of("box", "boxes"),
            List.of("jar", "jars"), List.of("basket", "baskets"));

    private final SplittableRandom random;

    public WordProblemGenerator(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** The next problem of the seeded sequence. */
    public WordProblem next() {
        Operation op = Operation.values()[random.nextInt(Operation.values().length)];
        String n = pick(NAMES);
        String m = pick(NAMES);
        while (m.equals(n)) {
            m = pick(NAMES);
        }
        String o = pick(THINGS);
        return switch (op) {
            case ADD -> {
                int[] x = operands(op, random);
                int a = x[0];
                int b = x[1];
                String q = switch (random.nextInt(3)) {
                    case 0 -> n + " has " + a + " " + o + " and buys " + b + " more. How many " + o + " does " + n
                            + " have now?";
                    case 1 -> n + " has " + a + " " + o + ". " + m + " gives " + n + " " + b + " more " + o
                            + ". How many " + o + " does " + n + " have?";
                    default -> n + " found " + a + " " + o + " in the morning and " + b + " " + o
                            + " in the afternoon. How many " + o + " did " + n + " find?";
                };
                yield new WordProblem(q, op, a, b);
            }
            case SUBTRACT -> {
                int[] x = operands(op, random);
                int a = x[0];
                int b = x[1];
                String q = switch (random.nextInt(3)) {
                    case 0 -> n + " has " + a + " " + o + " and gives " + b + " to " + m + ". How many " + o
                            + " does " + n + " have left?";
                    case 1 -> n + " had " + a + " " + o + " and lost " + b + " of them. How many " + o + " does "
                            + n + " have now?";
                    default -> "There are " + a + " " + o + " on the table. " + n + " takes " + b
                            + " away. How many " + o + " are on the table now?";
                };
                yield new WordProblem(q, op, a, b);
            }
            case MULTIPLY -> {
                int[] x = operands(op, random);
                int a = x[0];
                int b = x[1];
                List<String> c = pick(CONTAINERS);
                String q = random.nextBoolean()
                        ? n + " has " + a + " " + c.get(1) + " with " + b + " " + o + " in each " + c.get(0)
                                + ". How many " + o + " does " + n + " have?"
                        : n + " buys " + a + " " + c.get(1) + " of " + o + ". Each " + c.get(0) + " holds " + b
                                + " " + o + ". How many " + o + " did " + n + " buy?";
                yield new WordProblem(q, op, a, b);
            }
        };
    }

    /** Two operands of {@code op} within the problems' ranges. */
    public static int[] operands(Operation op, SplittableRandom random) {
        return switch (op) {
            case ADD -> new int[]{random.nextInt(1, 11), random.nextInt(1, 11)};
            case SUBTRACT -> {
                int a = random.nextInt(2, 16);
                yield new int[]{a, random.nextInt(1, a)};
            }
            case MULTIPLY -> new int[]{random.nextInt(2, 7), random.nextInt(2, 7)};
        };
    }

    private <T> T pick(List<T> items) {
        return items.get(random.nextInt(items.size()));
    }
}
