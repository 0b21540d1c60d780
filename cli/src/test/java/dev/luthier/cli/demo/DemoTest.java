package dev.luthier.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.luthier.cli.basemodel.BaseModelBuilder;
import dev.luthier.cookbook.progress.ProgressListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shortened demo ({@code luthier demo --quick}) end to end: pretraining a base model from scratch, an embedded
 * server, LoRA SFT and RL through the SDK. Takes a few minutes on two cores: it is the one long test of the CLI.
 */
class DemoTest {

    @Test
    void postTrainingRaisesHeldOutAccuracyByTwentyPointsRlKeepsItAndASecondRunReusesTheBaseModel(@TempDir Path data)
            throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        int code;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            code = new CommandLine(new dev.luthier.cli.Main()).execute("demo", "--quick", "--json", "--data", data.toString());
        } finally {
            System.setOut(stdout);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        System.out.println(output);
        assertThat(code).as(output).isZero();
        String[] lines = output.strip().split("\n");
        JsonNode result = new ObjectMapper().readTree(lines[lines.length - 1]);

        double before = result.get("accuracy_before").asDouble();
        double afterSft = result.get("accuracy_after_sft").asDouble();
        double after = result.get("accuracy_after").asDouble();
        assertThat(before).isBetween(0.0, 1.0);
        assertThat(afterSft).isBetween(0.0, 1.0);
        assertThat(after - before).as("accuracy after RL minus before, on the same held-out problems").isGreaterThanOrEqualTo(0.20);
        // Over fourteen measured runs RL moved accuracy by -3 to +19 points (DemoSettings); the base model differs
        // from build to build (pretraining is not bit for bit repeatable), hence 10 points of slack: this catches RL
        // undoing SFT (before the quick settings were tuned it went 46 -> 6 % in one run) without failing on noise.
        assertThat(after).as("accuracy after RL against after SFT").isGreaterThanOrEqualTo(afterSft - 0.10);
        assertThat(result.get("held_out_problems").asInt()).isEqualTo(DemoSettings.quick().evalProblems());
        assertThat(result.get("base_model_reused").asBoolean()).isFalse();
        Path runDir = Path.of(result.get("run_dir").asText());
        assertThat(runDir.resolve("metrics.jsonl")).exists();
        assertThat(Path.of(result.get("report").asText())).exists().isEqualTo(runDir.resolve("report.html"));
        assertThat(runDir.resolve("sft").resolve("metrics.jsonl")).exists();
        assertThat(runDir.resolve("rl").resolve("metrics.jsonl")).exists();
        assertThat(output).contains("| base model (pretrained)").contains("| after LoRA SFT + RL");

        // A second run finds the base model in the data directory and does not train it again.
        Path weights = BaseModelBuilder.modelDir(data, DemoSettings.quick().base()).resolve("model.safetensors");
        FileTime written = Files.getLastModifiedTime(weights);
        DemoSettings q = DemoSettings.quick();
        DemoSettings tiny = new DemoSettings(q.base(), 4, q.rank(), 1, 4, q.sftLearningRate(), 1, 2, 2,
                q.rlLearningRate(), q.rlTemperature(), q.maxTokens(), q.seed());
        DemoResult second = DemoRun.run(data, tiny, ProgressListener.NONE, new PrintStream(new ByteArrayOutputStream()));
        assertThat(second.baseModelReused()).isTrue();
        assertThat(second.pretrainingSeconds()).isZero();
        assertThat(Files.getLastModifiedTime(weights)).isEqualTo(written);
    }
}
