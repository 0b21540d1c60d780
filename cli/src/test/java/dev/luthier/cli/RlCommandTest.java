package dev.luthier.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code luthier rl} then {@code luthier eval} of its weights, each with an embedded server over one data directory. */
class RlCommandTest {
    private static Path shared(String relative) {
        Path p = Path.of(System.getProperty("luthier.shared", "../shared")).resolve(relative).toAbsolutePath();
        Assumptions.assumeTrue(Files.exists(p), "skipped: " + p + " is missing (the shared reference data is not here)");
        return p;
    }

    @Test
    void trainsOnArithmeticThenEvaluatesTheResult(@TempDir Path dir) throws Exception {
        Path model = shared("models/stories260K");
        Path logDir = dir.resolve("run");
        String[] server = {"--data", dir.resolve("server").toString(), "--model", "stories=" + model};
        JsonNode rl = runJson(concat(new String[] {"rl"}, server, new String[] {"--json", "modelName=stories",
                "dataset=arithmetic", "steps=2", "groupsPerBatch=2", "groupSize=4", "maxTokens=4", "rank=4",
                "learningRate=1e-3", "testLimit=3", "evalEvery=1", "logDir=" + logDir}));
        assertThat(rl.get("steps").asInt()).isEqualTo(2);
        assertThat(rl.get("already_finished").asBoolean()).isFalse();
        String sampler = rl.get("sampler_path").asText();
        assertThat(sampler).startsWith("tinker://").endsWith("/sampler_weights/final");
        assertThat(rl.get("final").has("env/reward_mean")).isTrue();
        // 2 training steps (the first with a test evaluation) and the final evaluation
        List<String> lines = Files.readAllLines(logDir.resolve("metrics.jsonl"));
        assertThat(lines).hasSize(3);
        assertThat(lines.getFirst()).contains("\"test/env/reward_mean\"");
        assertThat(logDir.resolve("config.json")).exists();

        JsonNode eval = runJson(concat(new String[] {"eval"}, server, new String[] {"--json", "model=" + sampler,
                "dataset=arithmetic", "testLimit=3", "samples=4", "k=1,2,4", "maxTokens=4"}));
        assertThat(eval.get("problems").asInt()).isEqualTo(3);
        assertThat(eval.get("pass_at_k").get("4").asDouble()).isBetween(0.0, 1.0);
        assertThat(eval.get("per_problem")).hasSize(3);
        int correct = 0;
        for (JsonNode p : eval.get("per_problem")) {
            assertThat(p.get("samples").asInt()).isEqualTo(4);
            correct += p.get("correct").asInt();
        }
        // pass@1 is the fraction of the 12 samples that were correct
        assertThat(eval.get("pass_at_k").get("1").asDouble()).isEqualTo(correct / 12.0);

        // the same command with one more step resumes from the final checkpoint of step 2 and runs only step 2
        JsonNode resumed = runJson(concat(new String[] {"rl"}, server, new String[] {"--json", "modelName=stories",
                "dataset=arithmetic", "steps=3", "groupsPerBatch=2", "groupSize=4", "maxTokens=4", "rank=4",
                "learningRate=1e-3", "testLimit=3", "evalEvery=1", "logDir=" + logDir}));
        assertThat(resumed.get("steps").asInt()).isEqualTo(3);
        ObjectMapper mapper = new ObjectMapper();
        List<Integer> steps = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(logDir.resolve("metrics.jsonl"))) {
            steps.add(mapper.readTree(line).get("step").asInt());
        }
        assertThat(steps).containsExactly(0, 1, 2, 3);
        assertThat(Files.readAllLines(logDir.resolve("checkpoints.jsonl"))).hasSize(2);
        // and once more with the same steps: already finished, the same weights, nothing logged again
        JsonNode again = runJson(concat(new String[] {"rl"}, server, new String[] {"--json", "modelName=stories",
                "dataset=arithmetic", "steps=3", "groupsPerBatch=2", "groupSize=4", "maxTokens=4", "rank=4",
                "learningRate=1e-3", "testLimit=3", "evalEvery=1", "logDir=" + logDir}));
        assertThat(again.get("already_finished").asBoolean()).isTrue();
        assertThat(again.get("sampler_path").asText()).isEqualTo(resumed.get("sampler_path").asText());
        assertThat(Files.readAllLines(logDir.resolve("checkpoints.jsonl"))).hasSize(2);
        assertThat(runError("rl", "--data", dir.resolve("server").toString(), "--model", "stories=" + model,
                "modelName=stories", "dataset=arithmetic", "steps=4", "groupsPerBatch=3", "groupSize=4", "maxTokens=4",
                "rank=4", "testLimit=3", "logDir=" + logDir)).contains("groups_per_batch=2, this run has 3");
    }

    @Test
    void badSettingsAreOneLineErrors() {
        assertThat(runError("rl", "--data", "/nonexistent-dir", "dataset=arithmetic")).contains("set modelName=");
        assertThat(runError("rl", "--data", "/nonexistent-dir", "modelName=m", "bogus=1"))
                .contains("unknown setting 'bogus'").contains("groupSize").contains("trainFile");
        assertThat(runError("rl", "--data", "/nonexistent-dir", "modelName=m", "dataset=gsm8k")).contains("needs trainFile=");
        assertThat(runError("rl", "--data", "/nonexistent-dir", "modelName=m", "loss=reinforce"))
                .contains("importance_sampling").contains("cispo").contains("dro");
        assertThat(runError("rl", "--data", "/nonexistent-dir", "modelName=m", "loss=dro", "clipHighThreshold=2"))
                .contains("apply to loss=ppo and loss=cispo, not loss=dro");
        assertThat(runError("rl", "--data", "/nonexistent-dir", "modelName=m", "loss=cispo", "clipLowThreshold=-1"))
                .contains("loss=cispo needs 0 ≤ clipLowThreshold ≤ 1 ≤ clipHighThreshold");
        assertThat(runError("rl", "--data", "/nonexistent-dir", "modelName=m", "numSubsteps=0"))
                .contains("numSubsteps must be at least 1");
        assertThat(runError("eval", "--data", "/nonexistent-dir", "model=m", "samples=2", "k=4")).contains("pass@4");
    }

    private static String[] concat(String[]... parts) {
        return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(String[]::new);
    }

    private static JsonNode runJson(String... args) throws Exception {
        return TinyModelServer.json(args);
    }

    private static String runError(String... args) {
        return TinyModelServer.error(args);
    }
}
