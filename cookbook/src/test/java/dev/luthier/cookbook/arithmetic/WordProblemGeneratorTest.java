package dev.luthier.cookbook.arithmetic;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WordProblemGeneratorTest {
    private static final Pattern NUMBER = Pattern.compile("\\d+");

    /**
     * Solves a question from its words alone, without the record's operands: the two numbers in the order they
     * appear, and the operation from the verb that names it.
     */
    private static int solveFromText(String q) {
        Matcher m = NUMBER.matcher(q);
        List<Integer> numbers = new ArrayList<>();
        while (m.find()) {
            numbers.add(Integer.parseInt(m.group()));
        }
        assertThat(numbers).as(q).hasSize(2);
        int x = numbers.get(0);
        int y = numbers.get(1);
        if (q.contains(" in each ") || q.contains(" holds ")) {
            return x * y;
        }
        if (q.contains(" gives " + y + " to ") || q.contains(" lost ") || q.contains(" takes ")) {
            return x - y;
        }
        if (q.contains(" buys " + y + " more") || q.contains(" more ") || q.contains(" in the afternoon")) {
            return x + y;
        }
        throw new AssertionError("no operation recognised in: " + q);
    }

    @Test
    void answersAgreeWithAnIndependentReadingOfTheQuestion() {
        WordProblemGenerator g = new WordProblemGenerator(42);
        Set<Operation> seen = new HashSet<>();
        for (int i = 0; i < 3000; i++) {
            WordProblem p = g.next();
            seen.add(p.operation());
            assertThat(p.answer()).as(p.question()).isEqualTo(solveFromText(p.question()));
            assertThat(p.answer()).as(p.question()).isPositive();
        }
        assertThat(seen).containsExactlyInAnyOrder(Operation.values());
    }

    @Test
    void workedAnswersSpellTheEquation() {
        assertThat(new WordProblem("q?", Operation.ADD, 7, 5).workedAnswer()).isEqualTo("7 + 5 = 12");
        assertThat(new WordProblem("q?", Operation.SUBTRACT, 9, 4).workedAnswer()).isEqualTo("9 - 4 = 5");
        assertThat(new WordProblem("q?", Operation.MULTIPLY, 6, 7).workedAnswer()).isEqualTo("6 * 7 = 42");
    }

    @Test
    void sameSeedSameProblemsOtherSeedOthers() {
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        List<String> c = new ArrayList<>();
        WordProblemGenerator ga = new WordProblemGenerator(7);
        WordProblemGenerator gb = new WordProblemGenerator(7);
        WordProblemGenerator gc = new WordProblemGenerator(8);
        for (int i = 0; i < 50; i++) {
            a.add(ga.next().question());
            b.add(gb.next().question());
            c.add(gc.next().question());
        }
        assertThat(a).isEqualTo(b).isNotEqualTo(c);
    }

    @Test
    void trainingAndHeldOutProblemsNeverShareAQuestion() {
        List<WordProblem> train = ProblemSplit.train(5000, 1);
        List<WordProblem> heldOut = ProblemSplit.heldOut(500, 2);
        Set<String> trainQuestions = new HashSet<>();
        train.forEach(p -> trainQuestions.add(p.question()));
        assertThat(trainQuestions).hasSize(5000);
        Set<String> heldOutQuestions = new HashSet<>();
        heldOut.forEach(p -> heldOutQuestions.add(p.question()));
        assertThat(heldOutQuestions).hasSize(500);
        assertThat(heldOutQuestions).doesNotContainAnyElementsOf(trainQuestions);
        // Any seed's held-out problems are outside any seed's training problems, not just these two seeds'.
        for (WordProblem p : ProblemSplit.heldOut(200, 99)) {
            assertThat(ProblemSplit.isHeldOut(p)).isTrue();
            assertThat(trainQuestions).doesNotContain(p.question());
        }
        // The held-out share is about a tenth of what the generator draws.
        WordProblemGenerator g = new WordProblemGenerator(3);
        int held = 0;
        for (int i = 0; i < 10_000; i++) {
            if (ProblemSplit.isHeldOut(g.next())) {
                held++;
            }
        }
        assertThat(held).isBetween(800, 1200);
    }

    @Test
    void pretrainingTextHoldsNoHeldOutQuestionAndCorrectFacts() {
        List<WordProblem> train = ProblemSplit.train(300, 5);
        List<String> docs = PretrainingText.documents(train, 400, 6);
        assertThat(docs).hasSize(400);
        Pattern fact = Pattern.compile("(\\d+) ([-+*]) (\\d+) = (\\d+)");
        int facts = 0;
        for (String d : docs) {
            assertThat(d).doesNotContain("User:").doesNotContain("Assistant:");
            Matcher m = fact.matcher(d);
            while (m.find()) {
                int x = Integer.parseInt(m.group(1));
                int y = Integer.parseInt(m.group(3));
                int expected = switch (m.group(2)) {
                    case "+" -> x + y;
                    case "-" -> x - y;
                    default -> x * y;
                };
                assertThat(Integer.parseInt(m.group(4))).as(m.group()).isEqualTo(expected);
                facts++;
            }
        }
        assertThat(facts).isGreaterThan(400);
        WordProblem heldOut = ProblemSplit.heldOut(1, 1).getFirst();
        assertThatThrownBy(() -> PretrainingText.documents(List.of(heldOut), 1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("held-out");
    }

    @Test
    void workedAnswersAreGradedByTheNumberAfterTheLastEqualsSign() {
        WorkedAnswerChecker c = WorkedAnswerChecker.INSTANCE;
        assertThat(c.correct("7 + 5 = 12", "12")).isTrue();
        assertThat(c.correct("7 + 5 = 12.", "12")).isTrue();
        assertThat(c.correct("7 + 5 = 13", "12")).isFalse();
        assertThat(c.correct("12", "12")).as("no equation: wrong format").isFalse();
        assertThat(c.formatOk("7 + 5 = 12 apples and more")).isFalse();
        assertThat(c.formatOk("Tom has 12 apples")).isFalse();
        assertThat(c.correct("3 = 4 = 12", "12")).isTrue();
        assertThat(c.correct("9 - 4 = -5", "5")).isFalse();
        assertThat(c.correct("1 + 1 = 99999999999999999999", "2")).isFalse();
    }

    @Test
    void chatFormUsesTheQuestionAndTheWorkedAnswer() {
        WordProblem p = new WordProblem("Tom has 7 apples and buys 5 more. How many apples does Tom have now?",
                Operation.ADD, 7, 5);
        assertThat(ArithmeticChat.conversation(p)).extracting(m -> m.role() + ": " + m.content()).containsExactly(
                "user: Tom has 7 apples and buys 5 more. How many apples does Tom have now?", "assistant: 7 + 5 = 12");
        assertThat(ArithmeticChat.problem(p).answer()).isEqualTo("12");
        assertThat(ArithmeticChat.problem(p).id()).isEqualTo(ArithmeticChat.problem(p).id()).startsWith("arithmetic-");
    }
}
