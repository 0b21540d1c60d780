package dev.luthier.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code luthier score} with a PEFT adapter against the logprobs Hugging Face + PEFT computed. */
class ScoreCommandTest {
    private static Path shared(String relative) {
        Path p = Path.of(System.getProperty("luthier.shared", "../shared")).resolve(relative);
        Assumptions.assumeTrue(Files.exists(p), "skipped: " + p + " is missing (the shared reference data is not here)");
        return p;
    }

    /** Dense Qwen3 (real PEFT) and Qwen3-MoE (per-expert LoRA, PEFT names {@code mlp.experts.{e}.*_proj}). */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"qwen3", "qwen3_moe"})
    void scoresTokensWithPeftAdapterLikePeft(String model) throws Exception {
        Path dir = shared("models/hf-tiny/" + model);
        JsonNode golden = new ObjectMapper().readTree(dir.resolve("golden.json").toFile());
        JsonNode seq = golden.get("sequences").get(0);
        StringBuilder tokens = new StringBuilder();
        for (JsonNode t : seq.get("tokens")) {
            tokens.append(tokens.isEmpty() ? "" : ",").append(t.asInt());
        }
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int code;
        try {
            System.setOut(new PrintStream(captured, true));
            code = new CommandLine(new Main()).execute("score", "--model", dir.toString(),
                    "--adapter", dir.resolve("peft_adapter_init").toString(), "--tokens", tokens.toString(), "--json");
        } finally {
            System.setOut(old);
        }
        assertThat(code).isZero();
        JsonNode out = new ObjectMapper().readTree(captured.toString());
        JsonNode lps = out.get("logprobs");
        JsonNode expected = golden.get("lora").get("target_logprobs").get(0);
        assertThat(lps.size()).isEqualTo(seq.get("tokens").size());
        assertThat(lps.get(0).isNull()).isTrue();
        for (int i = 1; i < lps.size(); i++) {
            assertThat(Math.abs(lps.get(i).asDouble() - expected.get(i - 1).asDouble())).isLessThanOrEqualTo(1e-4);
        }
    }

    @Test
    void missingModelIsAClearError() {
        CommandLine cli = new CommandLine(new Main());
        java.io.StringWriter err = new java.io.StringWriter();
        cli.setErr(new java.io.PrintWriter(err));
        int code = Main.configure(cli).execute("score", "--model", "/does/not/exist", "--tokens", "1,2");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("/does/not/exist");
    }
}
