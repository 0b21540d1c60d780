package dev.luthier.cookbook.problems;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Answer extraction and comparison on hand-written cases. */
class AnswerCheckingTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            The answer is \\boxed{42}.                         | 42
            so $\\boxed{\\frac{1}{2}}$                          | \\frac{1}{2}
            \\boxed{1} then \\boxed{\\sqrt{\\frac{3}{4}}}       | \\sqrt{\\frac{3}{4}}
            \\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}        | \\left( 3, \\frac{\\pi}{2} \\right)
            \\boxed{\\{1, 2\\}}                                 | \\{1, 2\\}
            \\fbox{7}                                           | 7
            the result is \\boxed 5$ done                       | 5
            \\boxed{ x^{2} }                                    | x^{2}
            """)
    void boxedContentIsTheLastBoxWithBalancedBraces(String text, String expected) {
        assertThat(BoxedAnswers.last(text)).contains(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            no box here
            \\boxed{unclosed {x}
            \\boxed
            """)
    void missingOrUnclosedBoxesGiveNothing(String text) {
        assertThat(BoxedAnswers.last(text)).isEmpty();
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', textBlock = """
            \\frac{1}{2}        | 1/2
            \\frac{1}{2}        | 0.5
            \\dfrac12           | .5
            -\\frac{3}{4}       | -0.75
            \\frac{-3}{4}       | -3/4
            $42$                | 42
            42.                 | 42
            42.0                | 42
            1,000               | 1000
            \\text{Evelyn}      | Evelyn
            10\\text{ cm}       | 10
            90^\\circ           | 90
            90^{\\circ}         | 90
            50\\%               | 50
            x=5                 | 5
            \\theta = 2         | 2
            \\left( 3, \\frac{\\pi}{2} \\right) | (3,\\frac{\\pi}{2})
            (1, 0.5)            | (1,\\frac12)
            11\\sqrt2           | 11\\sqrt{2}
            3\\sqrt{13}         | 3 \\sqrt{13}
            \\tfrac{3}{56}      | \\frac{3}{56}
            6 - 5i              | 6-5i
            3, 5, 7             | 3,5,7
            \\$18.00            | 18
            \\sqrt[3]2         | \\sqrt[3]{2}
            """)
    void equivalentAnswers(String answer, String reference) {
        assertThat(MathAnswers.equivalent(answer, reference)).isTrue();
        assertThat(MathAnswers.equivalent(reference, answer)).isTrue();
    }

    @ParameterizedTest(name = "{0} != {1}")
    @CsvSource(delimiter = '|', textBlock = """
            \\frac{1}{3}        | 0.333
            \\frac{1}{2}        | \\frac{2}{1}
            2\\sqrt{2}          | \\sqrt{2}
            42                  | 24
            -1                  | 1
            (1, 2)              | (2, 1)
            (1, 2)              | [1, 2]
            x^2                 | x^3
            1,2                 | 12
            Evelyn              | Bob
            \\sqrt[3]{2}       | \\sqrt{2}
            """)
    void differentAnswers(String answer, String reference) {
        assertThat(MathAnswers.equivalent(answer, reference)).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            She makes 9 * 2 = 18 dollars.\\n#### 18       | 18
            #### 1,000                                     | 1000
            #### $1,234.50.                                | 1234.50
            #### -7                                        | -7
            ####42 apples                                  | 42
            #### 3/4                                       | 3/4
            first #### 1 then #### 2                       | 2
            """)
    void hashMarkedAnswers(String text, String expected) {
        assertThat(HashMarkedAnswers.afterMarker(text.replace("\\n", "\n"))).contains(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            the answer is 42
            #### forty-two
            #### 
            """)
    void hashMarkerWithoutANumberFirstIsNoAnswer(String text) {
        assertThat(HashMarkedAnswers.afterMarker(text)).isEmpty();
    }

    @Test
    void lastNumberFindsTheFinalNumber() {
        assertThat(HashMarkedAnswers.lastNumber("3 apples and 4 pears make 7.")).contains("7");
        assertThat(HashMarkedAnswers.lastNumber("it costs $1,250 in total")).contains("1250");
        assertThat(HashMarkedAnswers.lastNumber("no digits")).isEmpty();
    }

    @Test
    void checkersGradeFormatAndCorrectness() {
        AnswerChecker boxed = AnswerChecker.boxed();
        assertThat(boxed.formatOk("so \\boxed{4}")).isTrue();
        assertThat(boxed.formatOk("so 4")).isFalse();
        assertThat(boxed.correct("so \\boxed{\\frac{8}{2}}", "4")).isTrue();
        assertThat(boxed.correct("so \\boxed{5}", "4")).isFalse();
        assertThat(boxed.correct("so 4", "4")).isFalse();

        AnswerChecker hash = AnswerChecker.hashMarked();
        assertThat(hash.correct("2+2 is\n#### 4", "4")).isTrue();
        assertThat(hash.correct("#### 4.0", "4")).isTrue();
        assertThat(hash.correct("#### 5", "4")).isFalse();
        assertThat(hash.formatOk("4")).isFalse();
    }

    @Test
    void normalFormsOfLatex() {
        assertThat(MathAnswers.normalize("\\sqrt[3]2")).isEqualTo("\\sqrt[3]{2}");
        assertThat(MathAnswers.normalize("$\\dfrac12$.")).isEqualTo("\\frac{1}{2}");
        assertThat(MathAnswers.normalize("\\left( 1, 2 \\right)")).isEqualTo("(1,2)");
        assertThat(MathAnswers.normalize("\\text{(A)}")).isEqualTo("(A)");
    }

    @Test
    void bareNumbersAreTheWholeReply() {
        AnswerChecker bare = AnswerChecker.bareNumber();
        assertThat(bare.extract(" 42\n")).contains("42");
        assertThat(bare.extract("1,000.")).contains("1000");
        assertThat(bare.extract("-3.5")).contains("-3.5");
        assertThat(bare.extract("42 apples")).isEmpty();
        assertThat(bare.extract("about 42")).isEmpty();
        assertThat(bare.extract("1,00")).isEmpty();
        assertThat(bare.correct("8.0", "8")).isTrue();
        assertThat(bare.correct("9", "8")).isFalse();
    }

    @Test
    void exactNumbersReduceFractions() {
        assertThat(ExactNumber.parse("\\frac{6}{8}")).contains(ExactNumber.parse("3/4").orElseThrow());
        assertThat(ExactNumber.parse("0.75").map(ExactNumber::toString)).contains("3/4");
        assertThat(ExactNumber.parse("-12.50").map(ExactNumber::toString)).contains("-25/2");
        assertThat(ExactNumber.parse("1/0")).isEmpty();
        assertThat(ExactNumber.parse("abc")).isEqualTo(Optional.empty());
    }

    @Test
    void gsm8kReferenceNeedsTheMarker() {
        assertThat(HashMarkedAnswers.reference("work\n#### 1,200")).isEqualTo("1200");
        assertThatThrownBy(() -> HashMarkedAnswers.reference("no marker")).hasMessageContaining("####");
        assertThatThrownBy(() -> HashMarkedAnswers.reference("x ####  ")).hasMessageContaining("nothing follows");
    }
}
