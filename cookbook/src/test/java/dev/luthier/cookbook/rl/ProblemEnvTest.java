package dev.luthier.cookbook.rl;

import dev.luthier.api.sampling.Stop;
import dev.luthier.api.sampling.StopReason;
import dev.luthier.cookbook.problems.AnswerChecker;
import dev.luthier.cookbook.problems.Problem;
import dev.luthier.cookbook.renderers.Message;
import dev.luthier.cookbook.renderers.RoleColonRenderer;
import dev.luthier.cookbook.renderers.Tokenizer;
import dev.luthier.cookbook.problems.ProblemFiles;
import dev.luthier.cookbook.renderers.HfTokenizers;
import dev.luthier.cookbook.renderers.Renderer;
import dev.luthier.cookbook.renderers.Renderers;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

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

    /**
     * The first GSM8K test problem with the real Qwen3 tokenizer and chat template: the prompt is Qwen3's user turn
     * and generation header, a reply ends on {@code <|im_end|>} (the stop token), and its boxed answer is graded.
     */
    @Test
    void gsm8kWithTheQwen3TokenizerAndTemplate() throws Exception {
        Path shared = Path.of(System.getProperty("luthier.shared", "../../shared"));
        Path tokenizerJson = shared.resolve("tokenizers/qwen3/tokenizer.json");
        Path gsm8k = shared.resolve("datasets/gsm8k/test.jsonl");
        Assumptions.assumeTrue(Files.isRegularFile(tokenizerJson) && Files.isRegularFile(gsm8k),
                "skipped: the Qwen3 tokenizer or GSM8K is missing from " + shared);
        try (HfTokenizers.Adapter tokenizer = HfTokenizers.open(tokenizerJson)) {
            Renderer qwen3 = Renderers.create("qwen3_disable_thinking", tokenizer);
            Problem first = ProblemFiles.gsm8k(gsm8k).getFirst();
            ProblemEnv env = new ProblemEnv(qwen3, first, AnswerChecker.boxed(), 0.1, List.of());
            Observation ob = env.initialObservation();
            String prompt = tokenizer.decode(ob.tokens());
            assertThat(prompt).startsWith("<|im_start|>user\nJanet").contains("Write your answer in \\boxed{} format.<|im_end|>\n")
                    .endsWith("<|im_start|>assistant\n<think>\n\n</think>\n\n");
            int imEnd = tokenizer.tokenId("<|im_end|>");
            assertThat(ob.stop()).isEqualTo(new Stop.Tokens(new int[] {imEnd}));
            int[] reply = tokenizer.encode("She sells 16 - 3 - 4 = 9 eggs for $2 each: \\boxed{18}.<|im_end|>");
            assertThat(reply[reply.length - 1]).isEqualTo(imEnd);
            StepResult right = env.step(reply, StopReason.STOP);
            assertThat(right.reward()).isEqualTo(1.0);
            StepResult wrong = new ProblemEnv(qwen3, first, AnswerChecker.boxed(), 0.1, List.of())
                    .step(tokenizer.encode("\\boxed{$18.50}<|im_end|>"), StopReason.STOP);
            assertThat(wrong.metrics()).containsEntry("format", 1.0).containsEntry("correct", 0.0);
            StepResult cut = new ProblemEnv(qwen3, first, AnswerChecker.boxed(), 0.1, List.of())
                    .step(tokenizer.encode("The answer is \\boxed{18}"), StopReason.LENGTH);
            assertThat(cut.reward()).isCloseTo(0.9, within(1e-12));
        }
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
