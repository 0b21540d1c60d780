package dev.luthier.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.luthier.api.input.ModelInput;
import dev.luthier.api.sampling.SamplingParams;
import dev.luthier.api.sampling.Stop;
import dev.luthier.client.ServiceClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** {@code luthier sample} against a real server on loopback. */
class SampleCommandTest {

    /** The role_colon generation prompt spelled out by hand, as code points (the test tokenizer's ids). */
    private static int[] codePoints(String s) {
        return s.chars().toArray();
    }

    @Test
    void repliesAreTheModelsGreedyContinuationsAndAnUnknownModelIsOneLine(@TempDir Path dir) throws Exception {
        try (TinyModelServer s = new TinyModelServer(dir.resolve("server"));
             ServiceClient service = s.client()) {
            var oneShot = s.luthier(List.of("sample"), TinyModelServer.MODEL, "--tokenizer", s.modelDir.toString(), "--prompt", "hi", "--temperature", "0",
                    "--max-tokens", "6", "--json");
            assertThat(oneShot.code()).as(oneShot.err()).isZero();
            JsonNode reply = new ObjectMapper().readTree(oneShot.out());

            // the same greedy sample through the SDK from the hand-written prompt
            var params = new SamplingParams(6, null, Stop.strings("\n\nUser:"), 0.0, -1, 1.0);
            int[] tokens = service.createSamplingClient(TinyModelServer.MODEL)
                    .sample(ModelInput.ofTokens(codePoints("User: hi\n\nAssistant:")), 1, params).join()
                    .sequences().getFirst().tokens();
            String text = new String(tokens, 0, tokens.length);
            int stop = text.indexOf("\n\nUser:");
            assertThat(reply.get("response").asText()).isEqualTo((stop < 0 ? text : text.substring(0, stop)).strip());
            assertThat(reply.get("tokens").asInt()).isEqualTo(tokens.length);

            // a conversation over stdin: the second turn is sampled after the first exchange; /reset forgets it
            var chat = s.luthierWithInput("hi\nagain\n/reset\nhi\n/quit\nignored\n", List.of("sample"),
                    TinyModelServer.MODEL, "--tokenizer", s.modelDir.toString(), "--temperature", "0", "--max-tokens", "6", "--json");
            assertThat(chat.code()).as(chat.err()).isZero();
            List<String> lines = chat.lines();
            assertThat(lines).hasSize(3);
            JsonNode first = new ObjectMapper().readTree(lines.get(0));
            JsonNode afterReset = new ObjectMapper().readTree(lines.get(2));
            assertThat(first.get("response")).isEqualTo(reply.get("response"));
            assertThat(afterReset.get("response")).isEqualTo(reply.get("response"));
            assertThat(new ObjectMapper().readTree(lines.get(1)).get("prompt").asText()).isEqualTo("again");

            // a model the server does not serve: one line, exit 2
            var r = s.luthier(List.of("sample"), "no-such-model", "--tokenizer", s.modelDir.toString(), "--prompt", "hi");
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err().strip()).startsWith("luthier: ").contains("no-such-model").doesNotContain("\n");
        }
    }

    /** A prompts file of chats and raw prompts, more lines than requests in flight, with a blank line in the middle. */
    private static final String PROMPTS = """
            {"id": 1, "messages": [{"role": "user", "content": "hi"}]}
            {"id": 2, "prompt": "User: hi\\n\\nAssistant:"}

            {"id": 3, "messages": [{"role": "user", "content": "b"}, {"role": "assistant", "content": "ref"}], "meta": {"x": [1, 2]}}
            {"id": 4, "prompt": "abc 4"}
            {"id": 5, "conversations": [{"from": "human", "value": "five"}]}
            {"id": 6, "prompt": "abc 6"}
            {"id": 7, "prompt": "abc 7"}
            """;

    @Test
    void aPromptsFileGetsItsCompletionsInInputOrder(@TempDir Path dir) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Path prompts = dir.resolve("prompts.jsonl");
        Files.writeString(prompts, PROMPTS);
        Path out = dir.resolve("out").resolve("completions.jsonl");
        try (TinyModelServer s = new TinyModelServer(dir.resolve("server"));
             ServiceClient service = s.client()) {
            var r = s.luthier(List.of("sample"), TinyModelServer.MODEL, "--tokenizer", s.modelDir.toString(), "--data",
                    prompts.toString(), "--out", out.toString(), "--temperature", "0", "--max-tokens", "6",
                    "--num-samples", "2", "--concurrency", "3", "--json");
            assertThat(r.code()).as(r.err()).isZero();

            List<JsonNode> inputs = new ArrayList<>();
            for (String line : PROMPTS.lines().filter(l -> !l.isBlank()).toList()) {
                inputs.add(json.readTree(line));
            }
            List<String> lines = Files.readAllLines(out);
            assertThat(lines).hasSize(7);
            long tokens = 0;
            for (int i = 0; i < lines.size(); i++) {
                ObjectNode line = (ObjectNode) json.readTree(lines.get(i));
                JsonNode completions = line.remove("completions");
                assertThat(line).as("line %d keeps its input fields", i + 1).isEqualTo(inputs.get(i));
                assertThat(completions).hasSize(2);
                // greedy: both samples are the same tokens; their logprobs agree to rounding, since the two may be
                // decoded in different batches (how requests share a step depends on timing) and so by other kernels
                JsonNode a = completions.get(0), b = completions.get(1);
                assertThat(b.get("tokens")).isEqualTo(a.get("tokens"));
                assertThat(b.get("text")).isEqualTo(a.get("text"));
                assertThat(b.get("stop_reason")).isEqualTo(a.get("stop_reason"));
                for (int t = 0; t < a.get("logprobs").size(); t++) {
                    assertThat(b.get("logprobs").get(t).asDouble()).isCloseTo(a.get("logprobs").get(t).asDouble(),
                            org.assertj.core.data.Offset.offset(1e-4));
                }
                for (JsonNode c : completions) {
                    tokens += c.get("tokens").size();
                    assertThat(c.get("tokens").size()).isBetween(1, 6);
                    assertThat(c.get("logprobs").size()).isEqualTo(c.get("tokens").size());
                    assertThat(c.get("stop_reason").asText()).isIn("stop", "length");
                }
            }
            JsonNode summary = json.readTree(r.out());
            assertThat(summary.get("prompts").asInt()).isEqualTo(7);
            assertThat(summary.get("completions").asInt()).isEqualTo(14);
            assertThat(summary.get("tokens").asLong()).isEqualTo(tokens);
            assertThat(summary.get("seconds").asDouble()).isPositive();

            // a chat line's reply is what the one-question mode answers
            var oneShot = s.luthier(List.of("sample"), TinyModelServer.MODEL, "--tokenizer", s.modelDir.toString(),
                    "--prompt", "hi", "--temperature", "0", "--max-tokens", "6", "--json");
            assertThat(oneShot.code()).as(oneShot.err()).isZero();
            JsonNode reply = json.readTree(oneShot.out());
            JsonNode chat = json.readTree(lines.get(0)).get("completions").get(0);
            assertThat(chat.get("text").asText()).isEqualTo(reply.get("response").asText());
            assertThat(chat.get("tokens").size()).isEqualTo(reply.get("tokens").asInt());

            // the raw line spells out the same prompt by hand: the SDK's greedy sample of those code points
            var params = new SamplingParams(6, null, Stop.strings("\n\nUser:"), 0.0, -1, 1.0);
            int[] prompt = codePoints("User: hi\n\nAssistant:");
            var sdk = service.createSamplingClient(TinyModelServer.MODEL)
                    .sample(ModelInput.ofTokens(prompt), 1, params).join().sequences().getFirst();
            JsonNode raw = json.readTree(lines.get(1)).get("completions").get(0);
            int[] rawTokens = new int[raw.get("tokens").size()];
            for (int i = 0; i < rawTokens.length; i++) {
                rawTokens[i] = raw.get("tokens").get(i).asInt();
            }
            assertThat(rawTokens).isEqualTo(sdk.tokens());
            assertThat(chat.get("tokens")).isEqualTo(raw.get("tokens"));
            String text = new String(sdk.tokens(), 0, sdk.tokens().length);
            int stop = text.indexOf("\n\nUser:");
            assertThat(raw.get("text").asText()).isEqualTo(stop < 0 ? text : text.substring(0, stop));
            assertThat(raw.get("stop_reason").asText()).isEqualTo(stop < 0 ? "length" : "stop");

            // the logprobs are the model's: the prompt logprobs of prompt + completion at the completion's positions
            int[] whole = new int[prompt.length + rawTokens.length];
            System.arraycopy(prompt, 0, whole, 0, prompt.length);
            System.arraycopy(rawTokens, 0, whole, prompt.length, rawTokens.length);
            float[] scored = service.createSamplingClient(TinyModelServer.MODEL)
                    .computeLogprobs(ModelInput.ofTokens(whole)).join();
            double sum = 0;
            for (int i = 0; i < rawTokens.length; i++) {
                assertThat(raw.get("logprobs").get(i).asDouble()).as("token %d", i)
                        .isCloseTo(scored[prompt.length + i], within(2e-3));
                sum += scored[prompt.length + i];
            }
            assertThat(raw.get("logprob").asDouble()).isCloseTo(sum, within(1e-2));
        }
    }

    @Test
    void badLinesAndServerErrorsNameTheLineAndLeaveTheOutputAlone(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("completions.jsonl");
        Files.writeString(out, "old\n");
        try (TinyModelServer s = new TinyModelServer(dir.resolve("server"))) {
            String tok = s.modelDir.toString();
            Path bad = dir.resolve("bad.jsonl");
            Files.writeString(bad, "{\"prompt\": \"a\"}\n\n{\"prompt\": \"b\"\n");
            var r = s.luthier(List.of("sample"), TinyModelServer.MODEL, "--tokenizer", tok, "--data", bad.toString(),
                    "--out", out.toString());
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err().strip()).startsWith("luthier: " + bad + ":3: not valid JSON").doesNotContain("\n");

            Files.writeString(bad, "{\"prompt\": \"a\", \"completions\": []}\n");
            r = s.luthier(List.of("sample"), TinyModelServer.MODEL, "--tokenizer", tok, "--data", bad.toString(),
                    "--out", out.toString());
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains(bad + ":1: already has a \"completions\" field");

            Files.writeString(bad, "{\"messages\": []}\n");
            r = s.luthier(List.of("sample"), TinyModelServer.MODEL, "--tokenizer", tok, "--data", bad.toString(),
                    "--out", out.toString());
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains(bad + ":1: \"messages\" is empty");

            // a tokenizer that knows a token the model does not: the server refuses that line's prompt
            Path wide = dir.resolve("wide");
            Files.createDirectories(wide);
            TinyModelServer.writeAsciiTokenizer(wide);
            ObjectMapper json = new ObjectMapper();
            ObjectNode t = (ObjectNode) json.readTree(wide.resolve("tokenizer.json").toFile());
            ((ObjectNode) t.get("model").get("vocab")).put("\u00e9", 200);
            json.writeValue(wide.resolve("tokenizer.json").toFile(), t);
            Files.writeString(bad, "{\"prompt\": \"a\"}\n{\"prompt\": \"caf\u00e9\"}\n{\"prompt\": \"c\"}\n");
            r = s.luthier(List.of("sample"), TinyModelServer.MODEL, "--tokenizer", wide.toString(), "--data",
                    bad.toString(), "--out", out.toString(), "--max-tokens", "2");
            assertThat(r.code()).as(r.out()).isEqualTo(2);
            assertThat(r.err().strip()).startsWith("luthier: " + bad + ":2: sampling failed")
                    .contains("200").contains("outside the vocabulary");

            // options that need --data, or that --data needs
            r = s.luthier(List.of("sample"), TinyModelServer.MODEL, "--tokenizer", tok, "--data", bad.toString());
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains("--data needs --out");
            r = s.luthier(List.of("sample"), TinyModelServer.MODEL, "--tokenizer", tok, "--prompt", "hi", "--num-samples", "2");
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains("go with --data");
        }
        // every failure left the earlier output as it was and no temporary file behind
        assertThat(out).hasContent("old");
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("completions.jsonl",
                    "bad.jsonl", "wide", "server");
        }
    }
}
