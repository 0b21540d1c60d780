package dev.luthier.cookbook.problems;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The loaders on the real GSM8K and MATH-500 files in ../shared, and on malformed files. */
class ProblemFilesTest {
    static final Path SHARED = Path.of(System.getProperty("luthier.shared", "../../shared"));
    @TempDir
    Path dir;

    static Path shared(String relative) {
        Path p = SHARED.resolve(relative);
        Assumptions.assumeTrue(Files.isRegularFile(p), "skipped: " + p + " is missing (../shared not present)");
        return p;
    }

    @Test
    void gsm8kTestSetLoadsWithIntegerAnswers() {
        List<Problem> problems = ProblemFiles.gsm8k(shared("datasets/gsm8k/test.jsonl"));
        assertThat(problems).hasSize(1319);
        assertThat(problems.getFirst().answer()).isEqualTo("18");
        assertThat(problems.getFirst().question()).startsWith("Janet");
        assertThat(problems.getFirst().id()).isEqualTo("test-1");
        // every GSM8K answer is an integer once the thousands separators are gone
        assertThat(problems).allSatisfy(p -> assertThat(p.answer()).matches("-?\\d+"));
    }

    /**
     * GSM8K solutions mark each calculation {@code <<expr=value>>}; the last one's value is (almost always) the final
     * answer, which gives an independent check of the marker extraction on real solutions.
     */
    @Test
    void gsm8kAnswersAgreeWithTheLastCalculatorAnnotation() throws IOException {
        Path file = shared("datasets/gsm8k/test.jsonl");
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        Pattern calc = Pattern.compile("<<[^=>]*=([^>]*)>>");
        int compared = 0;
        int agree = 0;
        for (String line : Files.readAllLines(file)) {
            String solution = json.readTree(line).get("answer").asText();
            Matcher m = calc.matcher(solution);
            String last = null;
            while (m.find()) {
                last = m.group(1);
            }
            if (last == null) {
                continue;
            }
            compared++;
            if (AnswerChecker.hashMarked().correct(solution, last)) {
                agree++;
            }
        }
        assertThat(compared).isGreaterThan(1200);
        assertThat((double) agree / compared).isGreaterThan(0.9);
    }

    /** MATH-500 gives each answer separately from the solution: the boxed answer must be equivalent to it. */
    @Test
    void math500BoxedSolutionsMatchTheGivenAnswers() throws IOException {
        Path file = shared("datasets/math/math_oai_test.jsonl");
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<String> mismatches = new ArrayList<>();
        int n = 0;
        for (String line : Files.readAllLines(file)) {
            var row = json.readTree(line);
            n++;
            String boxed = BoxedAnswers.last(row.get("solution").asText()).orElse("<none>");
            if (!MathAnswers.equivalent(boxed, row.get("answer").asText())) {
                mismatches.add(boxed + "  vs  " + row.get("answer").asText());
            }
        }
        assertThat(n).isEqualTo(500);
        assertThat(mismatches).as("mismatches").isEmpty();
        List<Problem> problems = ProblemFiles.math(file);
        assertThat(problems).hasSize(500);
        assertThat(problems.getFirst().id()).isEqualTo("test/precalculus/807.json");
        assertThat(problems.getFirst().answer()).isEqualTo("\\left( 3, \\frac{\\pi}{2} \\right)");
    }

    /**
     * Each MATH-500 answer stays equivalent to itself when written the ways models write it (in dollars, with
     * {@code \\dfrac}, spaced out, with a trailing period, boxed in a sentence), and is not equivalent to the next
     * problem's answer unless the two have the same value.
     */
    @Test
    void math500AnswersSurviveRewritingAndStayDistinct() {
        List<Problem> problems = ProblemFiles.math(shared("datasets/math/math_oai_test.jsonl"));
        int distinctPairs = 0;
        List<String> equalInValue = new ArrayList<>();
        for (int i = 0; i < problems.size(); i++) {
            String a = problems.get(i).answer();
            for (String variant : List.of("$" + a + "$", a.replace("\\frac", "\\dfrac"), " " + a + " ", a + ".",
                    BoxedAnswers.last("Thus the answer is $\\boxed{" + a + "}$.").orElseThrow())) {
                assertThat(MathAnswers.equivalent(variant, a)).as("'%s' vs '%s'", variant, a).isTrue();
            }
            String next = problems.get((i + 1) % problems.size()).answer();
            if (!a.replaceAll("\\s", "").equals(next.replaceAll("\\s", ""))) {
                distinctPairs++;
                if (MathAnswers.equivalent(a, next)) {
                    equalInValue.add(a + " ~ " + next);
                }
            }
        }
        assertThat(distinctPairs).isGreaterThan(400);
        // the one neighbouring pair that differs in text but not in value (checked by hand)
        assertThat(equalInValue).containsExactly("5 ~ x=5");
    }

    @Test
    void mathWithoutAnswerFieldTakesTheBoxedAnswer() throws IOException {
        Path f = dir.resolve("m.jsonl");
        Files.writeString(f, """
                {"problem": "What is 1/2 + 1/4?", "solution": "We get $\\\\boxed{\\\\frac{3}{4}}$."}

                {"problem": "2+2?", "solution": "\\\\boxed{4}"}
                """);
        List<Problem> problems = ProblemFiles.math(f);
        assertThat(problems).extracting(Problem::answer).containsExactly("\\frac{3}{4}", "4");
        assertThat(problems).extracting(Problem::id).containsExactly("m-1", "m-3");
    }

    @Test
    void malformedLinesAreReportedWithTheirNumber() throws IOException {
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(f, "{\"question\": \"q\", \"answer\": \"a\\n#### 3\"}\n{\"question\": \"q\", \"answer\": \"no marker\"}\n");
        assertThatThrownBy(() -> ProblemFiles.gsm8k(f)).hasMessageContaining("bad.jsonl line 2").hasMessageContaining("####");

        Files.writeString(f, "{\"question\": \"q\"\n");
        assertThatThrownBy(() -> ProblemFiles.gsm8k(f)).hasMessageContaining("line 1: not valid JSON");

        Files.writeString(f, "{\"question\": 3, \"answer\": \"#### 3\"}\n");
        assertThatThrownBy(() -> ProblemFiles.gsm8k(f)).hasMessageContaining("\"question\" is not a string");

        Files.writeString(f, "{\"problem\": \"p\", \"solution\": \"\\\\boxed{3\"}\n");
        assertThatThrownBy(() -> ProblemFiles.math(f)).hasMessageContaining("line 1").hasMessageContaining("\\boxed");

        Files.writeString(f, "[1, 2]\n");
        assertThatThrownBy(() -> ProblemFiles.math(f)).hasMessageContaining("not a JSON object");

        Files.writeString(f, "{\"solution\": \"\\\\boxed{3}\"}\n");
        assertThatThrownBy(() -> ProblemFiles.math(f)).hasMessageContaining("missing field \"problem\"");
    }

    @Test
    void plainFilesTakeNumericAnswers() throws IOException {
        Path f = dir.resolve("p.jsonl");
        Files.writeString(f, "{\"id\": \"a\", \"question\": \"1+1?\", \"answer\": 2.0}\n{\"question\": \"half?\", \"answer\": \"1/2\"}\n");
        assertThat(ProblemFiles.load(f, ProblemFiles.Format.PLAIN))
                .containsExactly(new Problem("a", "1+1?", "2"), new Problem("p-2", "half?", "1/2"));
    }

    @Test
    void arithmeticProblemsHaveCorrectSums() {
        List<Problem> problems = ArithmeticProblems.addition(50, 20, 3);
        assertThat(problems).hasSize(50);
        Pattern q = Pattern.compile("What is (\\d+) \\+ (\\d+)\\?");
        for (Problem p : problems) {
            Matcher m = q.matcher(p.question());
            assertThat(m.matches()).isTrue();
            int a = Integer.parseInt(m.group(1));
            int b = Integer.parseInt(m.group(2));
            assertThat(a).isBetween(0, 20);
            assertThat(p.answer()).isEqualTo(String.valueOf(a + b));
        }
        assertThat(ArithmeticProblems.addition(50, 20, 3)).isEqualTo(problems);
    }
}
