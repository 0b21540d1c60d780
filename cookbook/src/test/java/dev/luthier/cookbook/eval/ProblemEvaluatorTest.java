package dev.luthier.cookbook.eval;

import dev.luthier.api.input.ModelInput;
import dev.luthier.api.sampling.SampledSequence;
import dev.luthier.api.sampling.SamplingParams;
import dev.luthier.client.ServiceClient;
import dev.luthier.client.sampling.SamplingClient;
import dev.luthier.cookbook.problems.AnswerChecker;
import dev.luthier.cookbook.problems.Problem;
import dev.luthier.cookbook.renderers.Message;
import dev.luthier.cookbook.renderers.ParsedResponse;
import dev.luthier.cookbook.renderers.Renderer;
import dev.luthier.cookbook.renderers.Segment;
import dev.luthier.cookbook.renderers.Tokenizer;
import dev.luthier.cookbook.testing.AsciiTokenizer;
import dev.luthier.cookbook.testing.TinyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The evaluator against a real server on loopback with a tiny random model over ASCII (vocabulary 128): a reply
 * ends at id 127, and a reply is "correct" when it starts with the reference
 * character, which a random model does often enough for counts to be checked.
 */
class ProblemEvaluatorTest {
    @TempDir
    static Path dir;
    static TinyServer server;
    static ServiceClient service;

    static final int STOP = 127;
    static final Tokenizer ASCII = new AsciiTokenizer();
    static final Renderer RENDERER = new Renderer() {
        @Override
        public String name() {
            return "ascii";
        }

        @Override
        public Tokenizer tokenizer() {
            return ASCII;
        }

        @Override
        public List<Segment> renderSegments(List<Message> messages, boolean addGenerationPrompt) {
            return List.of(Segment.header("Q: " + messages.getLast().content() + " A:", -1));
        }

        @Override
        public List<Integer> stopTokenIds() {
            return List.of(STOP);
        }

        @Override
        public ParsedResponse parseResponse(int[] tokens) {
            DecodedTurn t = decodeUntilStopToken(tokens);
            return new ParsedResponse(Message.assistant(t.text()), t.termination());
        }
    };
    /** The first character of the reply is the answer. */
    static final AnswerChecker FIRST_CHAR = new AnswerChecker() {
        @Override
        public Optional<String> extract(String response) {
            return response.isEmpty() ? Optional.empty() : Optional.of(response.substring(0, 1));
        }

        @Override
        public boolean equivalent(String answer, String reference) {
            return answer.equals(reference);
        }

        @Override
        public String instruction() {
            return "";
        }
    };

    @BeforeAll
    static void start() throws Exception {
        server = new TinyServer(dir);
        service = server.client();
    }

    @AfterAll
    static void stop() {
        service.close();
        server.close();
    }

    @Test
    void countsPassAtKAndGreedyAgreeWithTheSamples() {
        SamplingClient sampler = service.createSamplingClient(TinyServer.MODEL);
        List<Problem> problems = List.of(new Problem("a", "x", "1"), new Problem("b", "y", "5"), new Problem("c", "z", "A"));
        // greedy first: the most likely first character of each reply becomes that problem's reference, so at
        // least the greedy answer is correct
        List<String> greedy = problems.stream().map(p -> {
            int[] prompt = ASCII.encode("Q: " + p.question() + " A:");
            SampledSequence s = sampler.sample(ModelInput.ofTokens(prompt), 1, new SamplingParams(6, BigInteger.ONE,
                    new dev.luthier.api.sampling.Stop.Tokens(new int[] {STOP}), 0.0, -1, 1.0)).join().sequences().getFirst();
            int end = 0;
            while (end < s.tokens().length && s.tokens()[end] != STOP) {
                end++;
            }
            return ASCII.decode(Arrays.copyOf(s.tokens(), end));
        }).toList();
        List<Problem> withReferences = java.util.stream.IntStream.range(0, 3)
                .mapToObj(i -> new Problem(problems.get(i).id(), problems.get(i).question(),
                        greedy.get(i).isEmpty() ? "?" : greedy.get(i).substring(0, 1))).toList();

        EvalConfig config = new EvalConfig(6, List.of(1, 3, 6), 6, 1.0, true, 11);
        EvalReport report = new ProblemEvaluator(RENDERER, FIRST_CHAR).withSamplesPerRequest(4).evaluate(sampler, withReferences, config);

        assertThat(report.problems()).hasSize(3);
        double[] pass3 = new double[3];
        long correctTotal = 0;
        for (int i = 0; i < 3; i++) {
            ProblemResult r = report.problems().get(i);
            assertThat(r.samples()).isEqualTo(6);
            assertThat(r.responses()).hasSize(6);
            String ref = withReferences.get(i).answer();
            long correct = r.responses().stream().filter(x -> x.startsWith(ref)).count();
            assertThat(r.correct()).isEqualTo((int) correct);
            correctTotal += correct;
            assertThat(r.greedyResponse()).isEqualTo(greedy.get(i));
            assertThat(r.greedyCorrect()).isEqualTo(!greedy.get(i).isEmpty());
            // pass@3 of 6 samples with c correct: 1 − C(6−c,3)/C(6,3), C(6,3) = 20
            int c = (int) correct;
            int[] c3 = {20, 10, 4, 1, 0, 0, 0}; // C(6−c, 3) for c = 0..6
            pass3[i] = 1 - c3[c] / 20.0;
        }
        assertThat(report.passAtK().get(3)).isCloseTo((pass3[0] + pass3[1] + pass3[2]) / 3, within(1e-12));
        assertThat(report.passAtK().get(1)).isCloseTo(correctTotal / 18.0, within(1e-12));
        assertThat(report.sampleAccuracy()).isCloseTo(correctTotal / 18.0, within(1e-12));
        assertThat(report.greedyAccuracy()).isEqualTo(
                greedy.stream().filter(g -> !g.isEmpty()).count() / 3.0);
    }
}
