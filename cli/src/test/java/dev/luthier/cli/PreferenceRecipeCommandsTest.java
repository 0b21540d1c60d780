package dev.luthier.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** {@code luthier dpo} and {@code luthier distill} against a real server on loopback. */
class PreferenceRecipeCommandsTest {

    @Test
    void dpoAndDistillRunAndReportTheirResults(@TempDir Path dir) throws Exception {
        Path pairs = dir.resolve("pairs.jsonl");
        Files.writeString(pairs, """
                {"prompt": "a", "chosen": "yes", "rejected": "no"}
                {"chosen": "\\n\\nHuman: b\\n\\nAssistant: yes", "rejected": "\\n\\nHuman: b\\n\\nAssistant: no"}
                not json
                {"prompt": [{"role": "user", "content": "c"}], "chosen": "yes", "rejected": "no"}
                """);
        Path prompts = dir.resolve("prompts.jsonl");
        Files.writeString(prompts, "{\"prompt\": \"a\"}\n{\"messages\": [{\"role\": \"user\", \"content\": \"b\"}]}\n");
        try (TinyModelServer s = new TinyModelServer(dir.resolve("server"))) {
            var dpo = s.luthier(List.of("dpo"), "--json", "modelName=" + TinyModelServer.MODEL,
                    "tokenizer=" + s.modelDir, "data=" + pairs, "batchSize=3", "maxSteps=2", "rank=4", "beta=0.5",
                    "learningRate=1e-2", "logDir=" + dir.resolve("dpo"));
            assertThat(dpo.code()).as(dpo.err()).isZero();
            JsonNode out = new ObjectMapper().readTree(dpo.out());
            assertThat(out.get("steps").asInt()).isEqualTo(2);
            assertThat(out.get("pairs").asInt()).isEqualTo(3);
            assertThat(out.get("skipped_lines").asInt()).isEqualTo(1);
            // step 0: the policy is the reference, so the loss is log 2
            assertThat(out.get("first").get("dpo_loss").asDouble()).isCloseTo(Math.log(2), within(1e-3));
            assertThat(out.get("sampler_path").asText()).endsWith("/sampler_weights/final");
            assertThat(dir.resolve("dpo/metrics.jsonl")).exists();
            assertThat(new ObjectMapper().readTree(dir.resolve("dpo/config.json").toFile()).get("beta").asDouble()).isEqualTo(0.5);
            assertThat(dpo.err()).contains("skipped 1 malformed line(s)").contains(pairs + ":3:");

            // the teacher is the student's own base model: the reverse KL of the first step is 0 up to rounding
            var distill = s.luthier(List.of("distill"), "--json", "modelName=" + TinyModelServer.MODEL,
                    "teacher=" + TinyModelServer.MODEL, "tokenizer=" + s.modelDir, "data=" + prompts, "steps=1",
                    "groupSize=2", "promptsPerStep=2", "maxTokens=4", "rank=4", "logDir=" + dir.resolve("distill"));
            assertThat(distill.code()).as(distill.err()).isZero();
            JsonNode d = new ObjectMapper().readTree(distill.out());
            assertThat(d.get("steps").asInt()).isEqualTo(1);
            assertThat(d.get("first").get("tokens").asDouble()).isBetween(1.0, 16.0);
            assertThat(d.get("first").get("reverse_kl").asDouble()).isCloseTo(0.0, within(1e-3));
        }
    }

    @Test
    void saveEveryCheckpointsAndAStartedAgainRunResumesOrSaysItIsDone(@TempDir Path dir) throws Exception {
        Path pairs = dir.resolve("pairs.jsonl");
        Files.writeString(pairs, """
                {"prompt": "a", "chosen": "yes", "rejected": "no"}
                {"prompt": "b", "chosen": "ok", "rejected": "never"}
                """);
        Path prompts = dir.resolve("prompts.jsonl");
        Files.writeString(prompts, "{\"prompt\": \"a\"}\n{\"prompt\": \"b\"}\n");
        ObjectMapper json = new ObjectMapper();
        try (TinyModelServer s = new TinyModelServer(dir.resolve("server"))) {
            Path dpoLog = dir.resolve("dpo");
            List<String> dpo = List.of("modelName=" + TinyModelServer.MODEL, "tokenizer=" + s.modelDir, "data=" + pairs,
                    "batchSize=1", "rank=4", "beta=0.5", "learningRate=1e-2", "saveEvery=1", "logDir=" + dpoLog);
            var first = s.luthier(List.of("dpo"), concat(dpo, "--json", "maxSteps=2"));
            assertThat(first.code()).as(first.err()).isZero();
            assertThat(json.readTree(dpoLog.resolve("config.json").toFile()).get("saveEvery").asInt()).isEqualTo(1);
            assertThat(checkpointSteps(dpoLog)).containsExactly("step-000001@1", "final@2");

            var more = s.luthier(List.of("dpo"), concat(dpo, "--json", "maxSteps=3"));
            assertThat(more.code()).as(more.err()).isZero();
            assertThat(json.readTree(more.out()).get("steps").asInt()).isEqualTo(3);
            assertThat(json.readTree(more.out()).get("already_finished").asBoolean()).isFalse();
            assertThat(more.err()).contains("resumed at step 2");
            assertThat(metricSteps(dpoLog)).containsExactly(0, 1, 2);
            assertThat(checkpointSteps(dpoLog)).containsExactly("step-000001@1", "final@2", "final@3");

            var again = s.luthier(List.of("dpo"), concat(dpo, "maxSteps=3"));
            assertThat(again.code()).as(again.err()).isZero();
            assertThat(again.out()).contains("dpo: " + dpoLog + " already holds this run's final checkpoint; nothing to do");
            assertThat(metricSteps(dpoLog)).containsExactly(0, 1, 2);
            assertThat(checkpointSteps(dpoLog)).hasSize(3);

            Path distillLog = dir.resolve("distill");
            List<String> distill = List.of("--json", "modelName=" + TinyModelServer.MODEL, "teacher=" + TinyModelServer.MODEL,
                    "tokenizer=" + s.modelDir, "data=" + prompts, "steps=2", "groupSize=2", "promptsPerStep=1",
                    "maxTokens=4", "rank=4", "saveEvery=1", "logDir=" + distillLog);
            var d = s.luthier(List.of("distill"), distill.toArray(String[]::new));
            assertThat(d.code()).as(d.err()).isZero();
            assertThat(checkpointSteps(distillLog)).containsExactly("step-000001@1", "final@2");
            var dAgain = s.luthier(List.of("distill"), distill.toArray(String[]::new));
            assertThat(dAgain.code()).as(dAgain.err()).isZero();
            assertThat(json.readTree(dAgain.out()).get("already_finished").asBoolean()).isTrue();
            assertThat(json.readTree(dAgain.out()).get("sampler_path").asText())
                    .isEqualTo(json.readTree(d.out()).get("sampler_path").asText());
            assertThat(dAgain.err()).contains("already finished");
            assertThat(metricSteps(distillLog)).containsExactly(0, 1);
        }
    }

    private static String[] concat(List<String> settings, String... more) {
        List<String> out = new java.util.ArrayList<>(List.of(more));
        out.addAll(settings);
        return out.toArray(String[]::new);
    }

    /** {@code name@step} of each line of the run's {@code checkpoints.jsonl}. */
    private static List<String> checkpointSteps(Path logDir) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(logDir.resolve("checkpoints.jsonl"))) {
            JsonNode n = new ObjectMapper().readTree(line);
            out.add(n.get("name").asText() + "@" + n.get("step").asInt());
        }
        return out;
    }

    private static List<Integer> metricSteps(Path logDir) throws Exception {
        List<Integer> out = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(logDir.resolve("metrics.jsonl"))) {
            out.add(new ObjectMapper().readTree(line).get("step").asInt());
        }
        return out;
    }

    @Test
    void missingSettingsAreOneLineErrors(@TempDir Path dir) {
        var noModel = TinyModelServer.run("", "dpo", "--base-url", "http://127.0.0.1:9", "--api-key", "tml-x", "data=x.jsonl");
        assertThat(noModel.code()).isEqualTo(2);
        assertThat(noModel.err()).contains("set modelName=").contains("beta");
        var noTeacher = TinyModelServer.run("", "distill", "--base-url", "http://127.0.0.1:9", "--api-key", "tml-x", "modelName=m");
        assertThat(noTeacher.code()).isEqualTo(2);
        assertThat(noTeacher.err()).contains("teacher=");
        var badBeta = TinyModelServer.run("", "dpo", "--base-url", "http://127.0.0.1:9", "--api-key", "tml-x", "modelName=m",
                "beta=-1", "data=" + dir.resolve("x.jsonl"));
        assertThat(badBeta.code()).isEqualTo(2);
        assertThat(badBeta.err()).contains("beta must be positive");
    }

    @Test
    void anUnreachableServerIsOneLine(@TempDir Path dir) throws Exception {
        Path pairs = dir.resolve("pairs.jsonl");
        Files.writeString(pairs, "{\"prompt\": \"a\", \"chosen\": \"yes\", \"rejected\": \"no\"}\n");
        Path modelDir = Files.createDirectories(dir.resolve("tok"));
        TinyModelServer.writeAsciiTokenizer(modelDir);
        var r = TinyModelServer.run("", "dpo", "--base-url", "http://127.0.0.1:9", "--api-key", "tml-x", "modelName=m",
                "tokenizer=" + modelDir, "data=" + pairs, "logDir=" + dir.resolve("run"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("luthier: cannot reach a server at http://127.0.0.1:9");
    }
}
