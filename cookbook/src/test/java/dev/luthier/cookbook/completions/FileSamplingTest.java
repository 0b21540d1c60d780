package dev.luthier.cookbook.completions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.luthier.api.input.ModelInput;
import dev.luthier.api.sampling.SampleResponse;
import dev.luthier.api.sampling.SampledSequence;
import dev.luthier.api.sampling.SamplingParams;
import dev.luthier.api.sampling.StopReason;
import dev.luthier.client.errors.LuthierException;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
                FileSampling.Summary summary = new FileSampling(sampler::sample, r, params, 1, 4, ProgressListener.NONE)
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

    /** A sampler whose requests the test answers by hand: each reply echoes its prompt, so a line shows whose it got. */
    private static final class HandSampler implements FileSampling.Sampler {
        record Call(int[] prompt, CompletableFuture<SampleResponse> result) {
        }

        final List<Call> calls = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<SampleResponse> sample(ModelInput prompt, int numSamples, SamplingParams params) {
            CompletableFuture<SampleResponse> f = new CompletableFuture<>();
            calls.add(new Call(prompt.tokens(), f));
            return f;
        }

        /** Waits until {@code n} requests have come, then makes sure no more come in the next 100 ms. */
        void awaitExactly(int n) throws InterruptedException {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (calls.size() < n && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Thread.sleep(100);
            assertThat(calls).as("requests submitted").hasSize(n);
        }

        static SampleResponse echo(int[] prompt, int samples) {
            List<SampledSequence> out = new ArrayList<>();
            for (int i = 0; i < samples; i++) {
                float[] logprobs = new float[prompt.length];
                Arrays.fill(logprobs, -0.5f * (i + 1));
                out.add(new SampledSequence(StopReason.LENGTH, prompt, logprobs));
            }
            return SampleResponse.of(out);
        }
    }

    @Test
    void atMostMaxInFlightRequestsAreOutAndLinesKeepTheirOrderWhateverOrderRepliesComeIn(@TempDir Path dir) throws Exception {
        int n = 10;
        int maxInFlight = 3;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append("{\"prompt\": \"p").append(i).append("\", \"i\": ").append(i).append("}\n");
        }
        Path file = dir.resolve("prompts.jsonl");
        Files.writeString(file, sb.toString());
        Path out = dir.resolve("out.jsonl");
        HandSampler sampler = new HandSampler();
        List<FilePrompt> prompts = PromptFile.read(file, ROLE_COLON, null);
        CompletableFuture<FileSampling.Summary> run = CompletableFuture.supplyAsync(() -> new FileSampling(sampler,
                ROLE_COLON, SamplingParams.ofMaxTokens(4), 2, maxInFlight, ProgressListener.NONE).run(file, prompts, out));

        int answered = 0;
        while (answered < n) {
            sampler.awaitExactly(Math.min(n, answered + maxInFlight));
            assertThat(out).doesNotExist(); // nothing is visible before every prompt has its completions
            // answer the outstanding requests newest first
            List<HandSampler.Call> open = sampler.calls.subList(answered, sampler.calls.size());
            for (HandSampler.Call c : open.reversed()) {
                c.result().complete(HandSampler.echo(c.prompt(), 2));
            }
            answered = sampler.calls.size();
        }
        FileSampling.Summary summary = run.get(5, TimeUnit.SECONDS);

        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(n);
        for (int i = 0; i < n; i++) {
            JsonNode line = JSON.readTree(lines.get(i));
            assertThat(line.get("i").asInt()).isEqualTo(i);
            assertThat(line.get("prompt").asText()).isEqualTo("p" + i);
            JsonNode completions = line.get("completions");
            assertThat(completions).hasSize(2);
            assertThat(completions.get(0).get("text").asText()).isEqualTo("p" + i);
            assertThat(completions.get(0).get("stop_reason").asText()).isEqualTo("length");
            // prompts of two or three characters, each token at -0.5 (first sample) or -1.0 (second)
            int len = ("p" + i).length();
            assertThat(completions.get(0).get("logprob").asDouble()).isEqualTo(-0.5 * len);
            assertThat(completions.get(1).get("logprob").asDouble()).isEqualTo(-1.0 * len);
        }
        assertThat(summary.prompts()).isEqualTo(n);
        assertThat(summary.completions()).isEqualTo(2 * n);
        assertThat(summary.sampledTokens()).isEqualTo(2 * 20L); // p0..p9: two tokens each, two samples
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("prompts.jsonl", "out.jsonl");
        }
    }

    @Test
    void aFailedRequestNamesItsLineAndLeavesNoOutput(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("prompts.jsonl");
        Files.writeString(file, "{\"prompt\": \"a\"}\n\n{\"prompt\": \"b\"}\n{\"prompt\": \"c\"}\n");
        Path out = dir.resolve("out.jsonl");
        Files.writeString(out, "earlier\n");
        FileSampling.Sampler failsOnB = (prompt, samples, params) -> prompt.tokens()[0] == 'b'
                ? CompletableFuture.failedFuture(new IllegalStateException("no sampler for b"))
                : CompletableFuture.completedFuture(HandSampler.echo(prompt.tokens(), samples));
        FileSampling sampling = new FileSampling(failsOnB, ROLE_COLON, SamplingParams.ofMaxTokens(4), 1, 2, ProgressListener.NONE);
        List<FilePrompt> prompts = PromptFile.read(file, ROLE_COLON, null);
        assertThatThrownBy(() -> sampling.run(file, prompts, out))
                .isInstanceOf(LuthierException.class)
                .hasMessage(file + ":3: sampling failed: no sampler for b");
        assertThat(out).hasContent("earlier");
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("prompts.jsonl", "out.jsonl");
        }
    }
}
