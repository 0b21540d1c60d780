package dev.luthier.engine.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a Hugging Face {@code config.json} into a {@link ModelConfig}, in both the classic Hub layout
 * ({@code rope_theta}, {@code rope_scaling}, {@code num_experts}, {@code torch_dtype}) and the layout
 * transformers 5 writes ({@code rope_parameters}, {@code num_local_experts}, {@code dtype}). Absent keys take
 * the defaults of the transformers config classes; settings the engine does not implement are errors.
 */
public final class HfConfigReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HfConfigReader() {
    }

    /** Reads {@code path}, a {@code config.json} or a model directory holding one. */
    public static ModelConfig read(Path path) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve("config.json") : path;
        if (!Files.isRegularFile(file)) {
            throw new IOException("no config.json: " + file + " does not exist");
        }
        return parse(Files.readString(file), file.toString());
    }

    /** Parses config JSON; {@code source} prefixes every error message. */
    public static ModelConfig parse(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": malformed JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": expected a JSON object");
        }
        try {
            return new Reader(root, source).config();
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(source + ": ")) {
                throw e;
            }
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private record Reader(JsonNode root, String source) {

        ModelConfig config() {
            String modelType = text("model_type");
            if (modelType == null) {
                throw new IllegalArgumentException("no model_type");
            }
            ModelFamily family = ModelFamily.fromModelType(modelType);
            boolean moe = family == ModelFamily.QWEN3_MOE;

            String act = text("hidden_act");
            if (act != null && !act.equals("silu")) {
                throw new IllegalArgumentException("hidden_act \"" + act + "\" is not supported (supported: silu)");
            }
            if (bool("use_sliding_window", false)) {
                throw new IllegalArgumentException("use_sliding_window=true is not supported");
            }
            if (bool("mlp_bias", false)) {
                throw new IllegalArgumentException("mlp_bias=true is not supported");
            }

            int hidden = requiredInt("hidden_size");
            int heads = requiredInt("num_attention_heads");
            int kvHeads = optInt("num_key_value_heads", heads);
            int headDim;
            if (present("head_dim")) {
                headDim = requiredInt("head_dim");
            } else {
                if (hidden % heads != 0) {
                    throw new IllegalArgumentException("no head_dim, and hidden_size " + hidden
                            + " is not a multiple of num_attention_heads " + heads);
                }
                headDim = hidden / heads;
            }

            JsonNode ropeParams = node("rope_parameters");
            double ropeTheta;
            if (present("rope_theta")) {
                ropeTheta = requiredDouble(root, "rope_theta", "rope_theta");
            } else if (ropeParams != null && ropeParams.hasNonNull("rope_theta")) {
                ropeTheta = requiredDouble(ropeParams, "rope_theta", "rope_parameters.rope_theta");
            } else {
                ropeTheta = 10000.0;
            }
            JsonNode scaling = node("rope_scaling");
            RopeScaling ropeScaling = scaling != null ? ropeScaling(scaling, "rope_scaling")
                    : ropeParams != null ? ropeScaling(ropeParams, "rope_parameters") : null;

            boolean attentionBias = bool("attention_bias", false);
            boolean qkvBias = switch (family) {
                case QWEN2 -> true;
                case LLAMA, QWEN3, QWEN3_MOE -> attentionBias;
            };
            boolean oBias = family != ModelFamily.QWEN2 && attentionBias;
            boolean qkNorm = family == ModelFamily.QWEN3 || moe;

            String dtype = text("torch_dtype");
            if (dtype == null) {
                dtype = text("dtype");
            }

            int numExperts = 0;
            int perToken = 0;
            int moeInter = 0;
            boolean normTopk = false;
            int sparseStep = 1;
            List<Integer> mlpOnly = List.of();
            if (moe) {
                numExperts = present("num_experts") ? requiredInt("num_experts") : requiredInt("num_local_experts");
                perToken = requiredInt("num_experts_per_tok");
                moeInter = requiredInt("moe_intermediate_size");
                normTopk = bool("norm_topk_prob", false);
                sparseStep = optInt("decoder_sparse_step", 1);
                mlpOnly = intList("mlp_only_layers");
            }

            return new ModelConfig(family,
                    requiredInt("vocab_size"),
                    hidden,
                    requiredInt("intermediate_size"),
                    requiredInt("num_hidden_layers"),
                    heads,
                    kvHeads,
                    headDim,
                    present("rms_norm_eps") ? requiredDouble(root, "rms_norm_eps", "rms_norm_eps") : 1e-6,
                    ropeTheta,
                    ropeScaling,
                    optInt("max_position_embeddings", family == ModelFamily.LLAMA ? 2048 : 32768),
                    bool("tie_word_embeddings", false),
                    qkvBias, oBias, qkNorm,
                    present("bos_token_id") ? singleId("bos_token_id") : null,
                    intList("eos_token_id"),
                    dtype == null ? "float32" : dtype,
                    numExperts, perToken, moeInter, normTopk, sparseStep, mlpOnly);
        }

        /** Null for the default rotary embedding; llama3 scaling; an error for any other type. */
        private RopeScaling ropeScaling(JsonNode n, String key) {
            if (!n.isObject()) {
                throw new IllegalArgumentException(key + " must be an object or null, got " + n);
            }
            String type = n.hasNonNull("rope_type") ? n.get("rope_type").asText()
                    : n.hasNonNull("type") ? n.get("type").asText() : "default";
            return switch (type) {
                case "default" -> null;
                case "llama3" -> new RopeScaling("llama3",
                        requiredDouble(n, "factor", key + ".factor"),
                        requiredDouble(n, "low_freq_factor", key + ".low_freq_factor"),
                        requiredDouble(n, "high_freq_factor", key + ".high_freq_factor"),
                        (int) requiredDouble(n, "original_max_position_embeddings",
                                key + ".original_max_position_embeddings"));
                default -> throw new IllegalArgumentException("rope scaling type \"" + type + "\" in " + key
                        + " is not supported (supported: default, llama3)");
            };
        }

        private boolean present(String key) {
            return root.hasNonNull(key);
        }

        private JsonNode node(String key) {
            return root.hasNonNull(key) ? root.get(key) : null;
        }

        private String text(String key) {
            JsonNode n = node(key);
            return n == null ? null : n.asText();
        }

        private boolean bool(String key, boolean dflt) {
            JsonNode n = node(key);
            if (n == null) {
                return dflt;
            }
            if (!n.isBoolean()) {
                throw new IllegalArgumentException(key + " must be true or false, got " + n);
            }
            return n.booleanValue();
        }

        private int requiredInt(String key) {
            JsonNode n = node(key);
            if (n == null) {
                throw new IllegalArgumentException("missing " + key);
            }
            if (!n.canConvertToInt() || !n.isIntegralNumber()) {
                throw new IllegalArgumentException(key + " must be an integer, got " + n);
            }
            return n.intValue();
        }

        private int optInt(String key, int dflt) {
            return present(key) ? requiredInt(key) : dflt;
        }

        private static double requiredDouble(JsonNode parent, String key, String label) {
            JsonNode n = parent.get(key);
            if (n == null || n.isNull()) {
                throw new IllegalArgumentException("missing " + label);
            }
            if (!n.isNumber()) {
                throw new IllegalArgumentException(label + " must be a number, got " + n);
            }
            return n.doubleValue();
        }

        private Integer singleId(String key) {
            JsonNode n = node(key);
            if (n.isArray()) {
                if (n.isEmpty()) {
                    return null;
                }
                n = n.get(0);
            }
            if (!n.canConvertToInt() || !n.isIntegralNumber()) {
                throw new IllegalArgumentException(key + " must be an integer, got " + n);
            }
            return n.intValue();
        }

        /** An int, a list of ints, or null/absent (empty). */
        private List<Integer> intList(String key) {
            JsonNode n = node(key);
            if (n == null) {
                return List.of();
            }
            List<Integer> out = new ArrayList<>();
            for (JsonNode e : n.isArray() ? n : List.of(n)) {
                if (!e.canConvertToInt() || !e.isIntegralNumber()) {
                    throw new IllegalArgumentException(key + " must be an integer or a list of integers, got " + n);
                }
                out.add(e.intValue());
            }
            return out;
        }
    }
}
