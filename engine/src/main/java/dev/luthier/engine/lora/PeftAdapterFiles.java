package dev.luthier.engine.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.luthier.engine.io.AtomicFiles;
import dev.luthier.engine.weights.SafetensorsFile;
import dev.luthier.engine.weights.SafetensorsWriter;
import dev.luthier.engine.weights.TensorData;
import dev.luthier.engine.weights.TensorInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes PEFT LoRA adapter directories: {@code adapter_config.json} and
 * {@code adapter_model.safetensors} with PEFT's saved tensor names.
 */
public final class PeftAdapterFiles {

    public static final String CONFIG = "adapter_config.json";
    public static final String WEIGHTS = "adapter_model.safetensors";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Pattern LAYER_NAME = Pattern.compile(
            "base_model\\.model\\.model\\.layers\\.(\\d+)\\.(self_attn|mlp)\\.(?:experts\\.(\\d+)\\.)?"
                    + "(\\w+)\\.lora_([AB])(?:\\.default)?\\.weight");
    private static final Pattern LM_HEAD_NAME = Pattern.compile(
            "base_model\\.model\\.lm_head\\.lora_([AB])(?:\\.default)?\\.weight");

    private PeftAdapterFiles() {
    }

    public static PeftAdapter read(Path dir) throws IOException {
        Path configFile = dir.resolve(CONFIG);
        Path weightsFile = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(configFile)) {
            throw new IOException("not a PEFT adapter: " + configFile + " does not exist");
        }
        if (!Files.isRegularFile(weightsFile)) {
            String hint = Files.exists(dir.resolve("adapter_model.bin"))
                    ? " (adapter_model.bin is a pickle; only safetensors adapters are read)" : "";
            throw new IOException("PEFT adapter weights missing: " + weightsFile + " does not exist" + hint);
        }
        JsonNode cfg;
        try {
            cfg = JSON.readTree(configFile.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(configFile + ": malformed JSON: " + e.getMessage(), e);
        }
        Config c = Config.parse(cfg, configFile);
        Map<LoraKey, LoraPair> pairs = readPairs(weightsFile, c.rank);
        try {
            return new PeftAdapter(c.rank, c.alpha, c.useRslora, c.targetModules, c.baseModel, pairs);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(weightsFile + ": " + e.getMessage(), e);
        }
    }

    private record Config(int rank, double alpha, boolean useRslora, List<String> targetModules, String baseModel) {

        static Config parse(JsonNode n, Path file) {
            String peftType = text(n, "peft_type");
            if (peftType != null && !peftType.equals("LORA")) {
                throw fail(file, "peft_type " + peftType + " is not supported (only LORA)");
            }
            JsonNode r = n.get("r");
            if (r == null || !r.canConvertToInt() || !r.isIntegralNumber() || r.intValue() <= 0) {
                throw fail(file, "r must be a positive integer, got " + r);
            }
            JsonNode alpha = n.get("lora_alpha");
            if (alpha == null || !alpha.isNumber()) {
                throw fail(file, "lora_alpha must be a number, got " + alpha);
            }
            String bias = text(n, "bias");
            if (bias != null && !bias.equals("none")) {
                throw fail(file, "bias \"" + bias + "\" is not supported (only \"none\")");
            }
            for (String flag : List.of("use_dora", "fan_in_fan_out", "lora_bias")) {
                if (n.path(flag).asBoolean(false)) {
                    throw fail(file, flag + "=true is not supported");
                }
            }
            for (String pattern : List.of("rank_pattern", "alpha_pattern")) {
                if (n.hasNonNull(pattern) && !n.get(pattern).isEmpty()) {
                    throw fail(file, pattern + " (per-module rank or alpha) is not supported: " + n.get(pattern));
                }
            }
            for (String list : List.of("modules_to_save", "target_parameters")) {
                if (n.hasNonNull(list) && !n.get(list).isEmpty()) {
                    throw fail(file, list + " is not supported: " + n.get(list));
                }
            }
            List<String> targets = new ArrayList<>();
            JsonNode t = n.get("target_modules");
            if (t != null && t.isArray()) {
                t.forEach(x -> targets.add(x.asText()));
            } else if (t != null && t.isTextual()) {
                targets.add(t.asText());
            } else if (t != null && !t.isNull()) {
                throw fail(file, "target_modules must be a list or a string, got " + t);
            }
            return new Config(r.intValue(), alpha.doubleValue(), n.path("use_rslora").asBoolean(false), targets,
                    text(n, "base_model_name_or_path"));
        }

        private static String text(JsonNode n, String key) {
            return n.hasNonNull(key) ? n.get(key).asText() : null;
        }

        private static IllegalArgumentException fail(Path file, String message) {
            return new IllegalArgumentException(file + ": " + message);
        }
    }

    private static Map<LoraKey, LoraPair> readPairs(Path file, int rank) throws IOException {
        Map<LoraKey, TensorInfo> as = new HashMap<>();
        Map<LoraKey, TensorInfo> bs = new HashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (TensorInfo t : f.tensors().values()) {
                String name = t.name();
                LoraKey key;
                String which;
                Matcher m = LAYER_NAME.matcher(name);
                Matcher h = LM_HEAD_NAME.matcher(name);
                if (m.matches()) {
                    String section = m.group(2);
                    String module = m.group(4);
                    boolean attention = LoraKey.ATTENTION.contains(module);
                    if (!(attention ? section.equals("self_attn") && m.group(3) == null
                            : LoraKey.MLP.contains(module) && section.equals("mlp"))) {
                        throw new IllegalArgumentException(file + ": unsupported LoRA tensor " + name);
                    }
                    key = new LoraKey(Integer.parseInt(m.group(1)), module,
                            m.group(3) == null ? -1 : Integer.parseInt(m.group(3)));
                    which = m.group(5);
                } else if (h.matches()) {
                    key = LoraKey.lmHead();
                    which = h.group(1);
                } else {
                    throw new IllegalArgumentException(file + ": unsupported LoRA tensor " + name
                            + " (expected base_model.model.model.layers.{i}.{self_attn|mlp}.[experts.{e}.]{module}"
                            + ".lora_{A|B}.weight or base_model.model.lm_head.lora_{A|B}.weight)");
                }
                if (t.rank() != 2) {
                    throw new IllegalArgumentException(file + ": tensor " + name + " must be 2-D, has shape "
                            + Arrays.toString(t.shape()));
                }
                if ((which.equals("A") ? as : bs).put(key, t) != null) {
                    throw new IllegalArgumentException(file + ": two tensors for " + name);
                }
            }
            Map<LoraKey, LoraPair> pairs = new LinkedHashMap<>();
            for (LoraKey k : as.keySet()) {
                if (!bs.containsKey(k)) {
                    throw new IllegalArgumentException(file + ": " + k.peftModulePath() + " has lora_A but no lora_B");
                }
            }
            for (Map.Entry<LoraKey, TensorInfo> e : bs.entrySet()) {
                TensorInfo a = as.get(e.getKey());
                if (a == null) {
                    throw new IllegalArgumentException(file + ": " + e.getKey().peftModulePath()
                            + " has lora_B but no lora_A");
                }
                TensorInfo b = e.getValue();
                if (a.dim(0) != rank || b.dim(1) != rank) {
                    throw new IllegalArgumentException(file + ": " + e.getKey().peftModulePath() + " has A "
                            + Arrays.toString(a.shape()) + " and B " + Arrays.toString(b.shape())
                            + ", expected A [" + rank + ", in] and B [out, " + rank + "]");
                }
                pairs.put(e.getKey(), new LoraPair(a.toFloatArray(), (int) a.dim(0), (int) a.dim(1),
                        b.toFloatArray(), (int) b.dim(0), (int) b.dim(1)));
            }
            return pairs;
        }
    }

    /**
     * Writes {@code adapter.pairs()} as {@code adapter_model.safetensors} (float32, PEFT's saved names) and then
     * {@code adapter_config.json}, each atomically; a directory with a config therefore has complete weights.
     */
    public static void write(Path dir, PeftAdapter adapter) throws IOException {
        Files.createDirectories(dir);
        SafetensorsWriter.write(dir.resolve(WEIGHTS), tensors(adapter), Map.of("format", "pt"));
        ObjectNode cfg = JSON.createObjectNode();
        cfg.put("peft_type", "LORA");
        cfg.put("task_type", "CAUSAL_LM");
        cfg.put("r", adapter.rank());
        if (adapter.alpha() == Math.rint(adapter.alpha()) && Math.abs(adapter.alpha()) < 1e9) {
            cfg.put("lora_alpha", (long) adapter.alpha());
        } else {
            cfg.put("lora_alpha", adapter.alpha());
        }
        cfg.put("lora_dropout", 0.0);
        cfg.put("bias", "none");
        cfg.put("use_rslora", adapter.useRslora());
        cfg.put("use_dora", false);
        cfg.put("fan_in_fan_out", false);
        cfg.put("inference_mode", true);
        var targets = cfg.putArray("target_modules");
        adapter.targetModules().forEach(targets::add);
        cfg.put("base_model_name_or_path", adapter.baseModelNameOrPath());
        AtomicFiles.writeString(dir.resolve(CONFIG), JSON.writeValueAsString(cfg) + "\n");
    }

    /** The adapter's tensors under PEFT's saved names ({@code ….lora_A.weight}, {@code ….lora_B.weight}). */
    public static Map<String, TensorData> tensors(PeftAdapter adapter) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        adapter.pairs().forEach((k, p) -> {
            out.put(k.peftModulePath() + ".lora_A.weight", TensorData.f32(p.a(), p.aRows(), p.aCols()));
            out.put(k.peftModulePath() + ".lora_B.weight", TensorData.f32(p.b(), p.bRows(), p.bCols()));
        });
        return out;
    }
}
