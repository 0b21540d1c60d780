package dev.luthier.server.checkpoints;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.luthier.engine.kernels.Kernels;
import dev.luthier.engine.lora.LoraAdapter;
import dev.luthier.engine.lora.LoraConfig;
import dev.luthier.engine.lora.PeftAdapterFiles;
import dev.luthier.engine.lora.PeftAdapters;
import dev.luthier.engine.model.ModelConfig;
import dev.luthier.engine.optim.AdamW;
import dev.luthier.engine.optim.ParameterSet;
import dev.luthier.engine.tensor.Tensor;
import dev.luthier.engine.weights.SafetensorsFile;
import dev.luthier.engine.weights.SafetensorsWriter;
import dev.luthier.engine.weights.TensorData;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A training checkpoint on disk: the adapter as a PEFT directory ({@code adapter_model.safetensors} +
 * {@code adapter_config.json}), the AdamW moments ({@code optimizer.safetensors}, {@code exp_avg.<name>} and
 * {@code exp_avg_sq.<name>}) and {@code training_state.json} (step, base model, LoRA config). Written into a temporary
 * directory and renamed into place, so a checkpoint is either whole or absent.
 */
public final class TrainingStateFiles {
    public static final String OPTIMIZER = "optimizer.safetensors";
    public static final String STATE = "training_state.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainingStateFiles() {
    }

    /** The state a checkpoint restores. */
    public record Restored(LoraAdapter adapter, int step, Map<String, Tensor> firstMoments, Map<String, Tensor> secondMoments,
                           String baseModel) {
    }

    /** What a checkpoint says about itself without loading tensors ({@code weights_info}). */
    public record Info(String baseModel, LoraConfig lora, int step) {
    }

    public static void save(Path dir, LoraAdapter adapter, AdamW optimizer, Kernels kernels, String baseModel) throws IOException {
        writeAtomically(dir, tmp -> {
            PeftAdapterFiles.write(tmp, PeftAdapters.fromEngine(adapter, kernels, baseModel));
            Map<String, TensorData> moments = new LinkedHashMap<>();
            for (ParameterSet.Entry e : adapter.parameters()) {
                Tensor m = optimizer.firstMoment(e.name());
                Tensor v = optimizer.secondMoment(e.name());
                if (m != null && v != null) {
                    moments.put("exp_avg." + e.name(), TensorData.f32(kernels.toHost(m), m.rows(), m.cols()));
                    moments.put("exp_avg_sq." + e.name(), TensorData.f32(kernels.toHost(v), v.rows(), v.cols()));
                }
            }
            SafetensorsWriter.write(tmp.resolve(OPTIMIZER), moments, Map.of("step", Integer.toString(optimizer.step())));
            ObjectNode state = JSON.createObjectNode();
            state.put("format", "luthier-training-state/1");
            state.put("base_model", baseModel);
            state.put("step", optimizer.step());
            LoraConfig c = adapter.config();
            ObjectNode lora = state.putObject("lora");
            lora.put("rank", c.rank());
            lora.put("alpha", c.alpha());
            lora.put("seed", c.seed());
            lora.put("train_attn", c.trainAttn());
            lora.put("train_mlp", c.trainMlp());
            lora.put("train_unembed", c.trainUnembed());
            Files.writeString(tmp.resolve(STATE), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(state));
        });
    }

    /** A PEFT adapter directory for samplers (and for PEFT and vLLM). */
    public static void saveForSampler(Path dir, LoraAdapter adapter, Kernels kernels, String baseModel) throws IOException {
        writeAtomically(dir, tmp -> PeftAdapterFiles.write(tmp, PeftAdapters.fromEngine(adapter, kernels, baseModel)));
    }

    public static Info info(Path dir) throws IOException {
        Path statePath = dir.resolve(STATE);
        if (!Files.isRegularFile(statePath)) {
            throw new IOException("checkpoint " + dir + " has no " + STATE);
        }
        JsonNode state = JSON.readTree(statePath.toFile());
        JsonNode lora = state.get("lora");
        LoraConfig config = new LoraConfig(lora.get("rank").asInt(), lora.get("alpha").asDouble(), lora.get("seed").asLong(),
                lora.get("train_attn").asBoolean(), lora.get("train_mlp").asBoolean(), lora.get("train_unembed").asBoolean());
        return new Info(state.get("base_model").asText(), config, state.get("step").asInt());
    }

    public static Restored load(Path dir, String id, ModelConfig model, Kernels kernels, boolean withOptimizer) throws IOException {
        Info info = info(dir);
        LoraAdapter loaded = PeftAdapters.toEngine(PeftAdapterFiles.read(dir), id, model, kernels);
        // Keep the saved config (seed, switches) rather than the one inferred from the tensors present.
        LoraAdapter adapter = LoraAdapter.fromPeftTensors(id, info.lora(), model, kernels, name -> {
            for (ParameterSet.Entry e : loaded.parameters()) {
                if (e.name().equals(name)) {
                    return kernels.toHost(e.value());
                }
            }
            return null;
        });
        Map<String, Tensor> first = new HashMap<>();
        Map<String, Tensor> second = new HashMap<>();
        int step = 0;
        if (withOptimizer) {
            try (SafetensorsFile f = SafetensorsFile.open(dir.resolve(OPTIMIZER))) {
                for (ParameterSet.Entry e : adapter.parameters()) {
                    var m = f.find("exp_avg." + e.name());
                    var v = f.find("exp_avg_sq." + e.name());
                    if (m.isPresent() && v.isPresent()) {
                        first.put(e.name(), kernels.fromHost(m.get().toFloatArray(), e.value().rows(), e.value().cols()));
                        second.put(e.name(), kernels.fromHost(v.get().toFloatArray(), e.value().rows(), e.value().cols()));
                    }
                }
            }
            step = info.step();
        }
        return new Restored(adapter, step, first, second, info.baseModel());
    }

    /** Total size of the files under a checkpoint directory. */
    public static long sizeBytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    @FunctionalInterface
    interface DirectoryWriter {
        void write(Path tmp) throws IOException;
    }

    static void writeAtomically(Path dir, DirectoryWriter writer) throws IOException {
        Files.createDirectories(dir.getParent());
        if (Files.exists(dir)) {
            throw new IOException("checkpoint " + dir.getFileName() + " already exists");
        }
        Path tmp = dir.resolveSibling("." + dir.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            Files.createDirectories(tmp);
            writer.write(tmp);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            deleteTree(tmp);
            throw e;
        }
    }

    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
