package dev.luthier.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.luthier.api.input.ModelInput;
import dev.luthier.api.sampling.SamplingParams;
import dev.luthier.api.sampling.Stop;
import dev.luthier.client.ServiceClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

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
}
