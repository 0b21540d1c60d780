package dev.luthier.cookbook.completions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.luthier.api.input.ModelInput;
import dev.luthier.api.sampling.SamplingParams;
import dev.luthier.client.ServiceClient;
import dev.luthier.client.sampling.SamplingClient;
import dev.luthier.cookbook.progress.ProgressListener;
import dev.luthier.cookbook.renderers.Message;
import dev.luthier.cookbook.renderers.ParsedResponse;
import dev.luthier.cookbook.renderers.Renderer;
import dev.luthier.cookbook.renderers.Renderers;
import dev.luthier.cookbook.renderers.Segment;
import dev.luthier.cookbook.renderers.Tokenizer;
import dev.luthier.cookbook.rl.ProblemEnv;
import dev.luthier.cookbook.testing.AsciiTokenizer;
import dev.luthier.cookbook.testing.TinyServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link FileSampling} against a real server on loopback over a tiny random model. */
class FileSamplingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Renderer ROLE_COLON = Renderers.create("role_colon", new AsciiTokenizer());

    /** role_colon with other stop sequences, to stop where the tiny model's greedy continuation is known to go. */
    private record Stops(List<String> stopStrings, List<Integer> stopTokenIds) implements Renderer {
        @Override
        public String name() {
            return ROLE_COLON.name();
        }

        @Override
        public Tokenizer tokenizer() {
            return ROLE_COLON.tokenizer();
        }

        @Override
        public List<Segment> renderSegments(List<Message> messages, boolean addGenerationPrompt) {
            return ROLE_COLON.renderSegments(messages, addGenerationPrompt);
        }

        @Override
        public ParsedResponse parseResponse(int[] tokens) {
            return ROLE_COLON.parseResponse(tokens);
        }
    }

    @Test
    void rawContinuationsEndBeforeTheRenderersStopStringOrStopToken(@TempDir Path dir) throws Exception {
        try (TinyServer server = new TinyServer(dir.resolve("server"));
             ServiceClient service = server.client()) {
            SamplingClient sampler = service.createSamplingClient(TinyServer.MODEL);
            // a prompt whose greedy continuation (no stop) has a token at k >= 1 that did not come before
            String prompt = null;
            int[] greedy = null;
            int k = -1;
            for (String candidate : List.of("abc", "hello", "q: 2+2", "xyz 1", "The end", "0123")) {
                int[] g = sampler.sample(ModelInput.ofTokens(candidate.chars().toArray()), 1,
                        new SamplingParams(8, null, null, 0.0, -1, 1.0)).join().sequences().getFirst().tokens();
                for (int i = 1; i < g.length && k < 0; i++) {
                    int t = g[i];
                    if (Arrays.stream(g, 0, i).noneMatch(x -> x == t)) {
                        k = i;
                    }
                }
                if (k > 0) {
                    prompt = candidate;
                    greedy = g;
                    break;
                }
            }
            assertThat(prompt).as("no candidate prompt has a fresh token in its greedy continuation").isNotNull();
            int[] expectedTokens = Arrays.copyOf(greedy, k + 1); // the stop token (or string's one token) included
            String expectedText = new AsciiTokenizer().decode(Arrays.copyOf(greedy, k));

            Path file = dir.resolve("prompts.jsonl");
            Files.writeString(file, JSON.writeValueAsString(java.util.Map.of("prompt", prompt)) + "\n");
            String stopChar = String.valueOf((char) greedy[k]);
            for (Renderer r : List.of(new Stops(List.of(stopChar), List.of()), new Stops(List.of(), List.of(greedy[k])))) {
                Path out = dir.resolve("out.jsonl");
                SamplingParams params = new SamplingParams(8, null, ProblemEnv.stopCondition(r), 0.0, -1, 1.0);
                FileSampling.Summary summary = new FileSampling(sampler, r, params, 1, 4, ProgressListener.NONE)
                        .run(file, PromptFile.read(file, r, null), out);
                JsonNode c = JSON.readTree(Files.readAllLines(out).getFirst()).get("completions").get(0);
                int[] tokens = JSON.convertValue(c.get("tokens"), int[].class);
                assertThat(tokens).as(r.toString()).isEqualTo(expectedTokens);
                assertThat(c.get("stop_reason").asText()).isEqualTo("stop");
                assertThat(c.get("text").asText()).as(r.toString()).isEqualTo(expectedText);
                assertThat(summary.sampledTokens()).isEqualTo(k + 1);
                assertThat(summary.promptTokens()).isEqualTo(prompt.length());
            }
        }
    }
}
