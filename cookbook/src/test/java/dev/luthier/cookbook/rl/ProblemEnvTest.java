package dev.luthier.cookbook.rl;

import dev.luthier.api.sampling.Stop;
import dev.luthier.api.sampling.StopReason;
import dev.luthier.cookbook.problems.AnswerChecker;
import dev.luthier.cookbook.problems.Problem;
import dev.luthier.cookbook.renderers.Message;
import dev.luthier.cookbook.renderers.RoleColonRenderer;
import dev.luthier.cookbook.renderers.Tokenizer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** ProblemEnv's prompt and rewards, with the role_colon renderer over a one-id-per-character tokenizer. */
class ProblemEnvTest {
    /** Each character is its code point. */
    static final Tokenizer CHARS = new Tokenizer() {
        @Override
        public int[] encode(String text) {
            return text.codePoints().toArray();
        }

        @Override
        public String decode(int[] ids) {
            return new String(ids, 0, ids.length);
        }

        @Override
        public int tokenId(String token) {
            return token.codePointCount(0, token.length()) == 1 ? token.codePointAt(0) : -1;
        }
    };
    static final Problem PROBLEM = new Problem("p1", "What is 2 + 2?", "4");

    static ProblemEnv env(AnswerChecker checker) {
        return new ProblemEnv(new RoleColonRenderer(CHARS, null), PROBLEM, checker, 0.1, List.of());
    }

    static double reward(ProblemEnv env, String reply) {
        return env.step(CHARS.encode(reply), StopReason.STOP).reward();
    }

    @Test
    void thePromptIsTheQuestionWithTheInstruction() {
        Observation ob = env(AnswerChecker.boxed()).initialObservation();
        assertThat(CHARS.decode(ob.tokens()))
                .isEqualTo("User: What is 2 + 2? Write your answer in \\boxed{} format.\n\nAssistant:");
        assertThat(ob.stop()).isEqualTo(new Stop.Strings(List.of("\n\nUser:")));
    }

    @Test
    void aPrefixOfMessagesComesFirst() {
        ProblemEnv e = new ProblemEnv(new RoleColonRenderer(CHARS, null), PROBLEM, AnswerChecker.hashMarked(), 0.1,
                List.of(Message.system("Be brief.")));
        assertThat(CHARS.decode(e.initialObservation().tokens())).isEqualTo(
                "System: Be brief.\n\nUser: What is 2 + 2? Give your final answer as a number after '####'.\n\nAssistant:");
    }

    @Test
    void rewardIsCorrectPlusFormatPenalty() {
        AnswerChecker boxed = AnswerChecker.boxed();
        assertThat(reward(env(boxed), " So \\boxed{4}.\n\nUser:")).isEqualTo(1.0);
        assertThat(reward(env(boxed), " \\boxed{5}\n\nUser:")).isEqualTo(0.0);
        assertThat(reward(env(boxed), " It is 4.\n\nUser:")).isCloseTo(-0.1, within(1e-12));
        // cut off before the stop sequence: the answer counts, the format does not
        assertThat(reward(env(boxed), " \\boxed{4} and then")).isCloseTo(0.9, within(1e-12));
        assertThat(reward(env(AnswerChecker.hashMarked()), " 2+2=4\n#### 4\n\nUser:")).isEqualTo(1.0);
    }

    @Test
    void metricsReportCorrectAndFormat() {
        ProblemEnv e = env(AnswerChecker.boxed());
        StepResult r = e.step(CHARS.encode(" \\boxed{5}\n\nUser:"), StopReason.STOP);
        assertThat(r.episodeDone()).isTrue();
        assertThat(r.metrics()).containsEntry("correct", 0.0).containsEntry("format", 1.0);
        assertThat(e.lastResponse()).isEqualTo("\\boxed{5}");
    }

    @Test
    void problemDatasetsCycleThroughEveryProblemInAShuffledOrder() {
        List<Problem> problems = List.of(new Problem("a", "1?", "1"), new Problem("b", "2?", "2"), new Problem("c", "3?", "3"));
        ProblemDataset ds = new ProblemDataset(problems, new RoleColonRenderer(CHARS, null), AnswerChecker.boxed(), 9);
        for (int pass = 0; pass < 3; pass++) {
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (int i = 0; i < 3; i++) {
                seen.add(ds.group(pass * 3L + i).tag());
            }
            assertThat(seen).containsExactlyInAnyOrder("a", "b", "c");
        }
        assertThat(ds.group(4).makeEnvs(5)).hasSize(5).allMatch(e -> e instanceof ProblemEnv);
    }
}
