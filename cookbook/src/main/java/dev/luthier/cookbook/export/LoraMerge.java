package dev.luthier.cookbook.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.luthier.engine.lora.LoraKey;
import dev.luthier.engine.lora.LoraPair;
import dev.luthier.engine.lora.PeftAdapter;
import dev.luthier.engine.lora.PeftAdapterFiles;
import dev.luthier.engine.model.WeightNames;
import dev.luthier.engine.tensor.DType;
import dev.luthier.engine.weights.ModelWeights;
import dev.luthier.engine.weights.SafetensorsWriter;
import dev.luthier.engine.weights.TensorData;
import dev.luthier.engine.weights.TensorInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Merges a PEFT LoRA adapter into its base model and writes a plain Hugging Face model directory: every targeted
 * weight becomes {@code W + scale · B·A} with PEFT's {@code scale = lora_alpha / r} ({@code lora_alpha / √r} with
 * rank-stabilised LoRA), which is also the engine's convention; all other tensors are copied. A LoRA on
 * {@code lm_head} of a model with tied embeddings unties them (the merged head is written as {@code lm_head.weight}
 * and {@code tie_word_embeddings} becomes false). Per-expert LoRA of a mixture of experts
 * ({@code mlp.experts.{e}.*_proj}) merges into that expert's weight; routers and experts without LoRA are copied.
 * {@code config.json}, {@code generation_config.json} and the tokenizer files are copied from the base.
 *
 * <p>A local tool over the engine's weight I/O ({@code luthier-engine} on the class path). It holds the model in
 * memory as float32 while writing one {@code model.safetensors}.
 */
public final class LoraMerge {
    /** Files copied from the base directory when present. */
    public static final List<String> COPIED = List.of("generation_config.json", "tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "vocab.json", "merges.txt", "added_tokens.json", "tokenizer.model",
            "chat_template.jinja", "chat_template.json");
    private static final String PEFT_PREFIX = "base_model.model.";
    private static final ObjectMapper JSON = new ObjectMapper();

    private LoraMerge() {
    }

    /** What was merged: the weights changed and whether the head was untied. */
    public record Summary(Path outDir, List<String> mergedWeights, boolean untiedHead, double scale) {
    }

    /**
     * Writes base + adapter to {@code outDir}. {@code dtype} is the stored type of every tensor (empty: each
     * tensor keeps its base type; note that bfloat16 can round away small LoRA updates).
     */
    public static Summary merge(Path baseDir, Path adapterDir, Path outDir, Optional<DType> dtype) throws IOException {
        Path configFile = baseDir.resolve("config.json");
        if (!Files.isRegularFile(configFile)) {
            throw new IllegalArgumentException(baseDir + " is not a Hugging Face model directory (no config.json)");
        }
        if (baseDir.toAbsolutePath().normalize().equals(outDir.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("the output directory must differ from the base model's");
        }
        ObjectNode config = (ObjectNode) JSON.readTree(configFile.toFile());
        PeftAdapter adapter = PeftAdapterFiles.read(adapterDir);
        double scale = adapter.scale();

        Map<String, LoraPair> byWeight = new LinkedHashMap<>();
        for (Map.Entry<LoraKey, LoraPair> e : adapter.pairs().entrySet()) {
            String path = e.getKey().peftModulePath();
            byWeight.put(path.substring(PEFT_PREFIX.length()) + ".weight", e.getValue());
        }

        Map<String, TensorData> out = new LinkedHashMap<>();
        boolean untied = false;
        try (ModelWeights weights = ModelWeights.open(baseDir)) {
            for (String name : weights.names().stream().sorted().toList()) {
                TensorInfo t = weights.get(name);
                DType stored = dtype.orElseGet(() -> t.dtype());
                float[] values = t.toFloatArray();
                LoraPair pair = byWeight.get(name);
                if (pair != null) {
                    addProduct(name, values, t.shape(), pair, scale);
                }
                out.put(name, new TensorData(stored, t.shape(), values));
            }
            LoraPair head = byWeight.get(WeightNames.LM_HEAD);
            if (head != null && !weights.contains(WeightNames.LM_HEAD)) {
                TensorInfo embedding = weights.get(WeightNames.EMBEDDING);
                float[] values = embedding.toFloatArray();
                addProduct(WeightNames.LM_HEAD, values, embedding.shape(), head, scale);
                out.put(WeightNames.LM_HEAD, new TensorData(dtype.orElseGet(() -> embedding.dtype()),
                        embedding.shape(), values));
                config.put("tie_word_embeddings", false);
                untied = true;
            }
            for (String name : byWeight.keySet()) {
                if (!out.containsKey(name)) {
                    throw new IllegalArgumentException("the adapter targets " + name + ", which the base model in " + baseDir
                            + " does not have");
                }
            }
        }
        Files.createDirectories(outDir);
        SafetensorsWriter.write(outDir.resolve(ModelWeights.SINGLE_FILE), out, Map.of("format", "pt"));
        Files.writeString(outDir.resolve("config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config) + "\n");
        for (String f : COPIED) {
            Path src = baseDir.resolve(f);
            if (Files.isRegularFile(src)) {
                Files.copy(src, outDir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return new Summary(outDir, List.copyOf(byWeight.keySet()), untied, scale);
    }

    /** {@code w [out, in] += scale · B [out, r] · A [r, in]}. */
    static void addProduct(String name, float[] w, long[] shape, LoraPair pair, double scale) {
        if (shape.length != 2 || shape[0] != pair.outFeatures() || shape[1] != pair.inFeatures()) {
            throw new IllegalArgumentException("the adapter's LoRA for " + name + " is [" + pair.outFeatures() + ", "
                    + pair.inFeatures() + "] but the weight is " + Arrays.toString(shape));
        }
        int outF = pair.outFeatures();
        int inF = pair.inFeatures();
        int r = pair.rank();
        float[] a = pair.a();
        float[] b = pair.b();
        double[] row = new double[inF];
        for (int o = 0; o < outF; o++) {
            Arrays.fill(row, 0);
            for (int k = 0; k < r; k++) {
                double bk = b[o * r + k];
                if (bk == 0) {
                    continue;
                }
                int aRow = k * inF;
                for (int i = 0; i < inF; i++) {
                    row[i] += bk * a[aRow + i];
                }
            }
            int wRow = o * inF;
            for (int i = 0; i < inF; i++) {
                w[wRow + i] = (float) (w[wRow + i] + scale * row[i]);
            }
        }
    }
}
