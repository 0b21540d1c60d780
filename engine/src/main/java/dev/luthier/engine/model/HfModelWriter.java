package dev.luthier.engine.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.luthier.engine.weights.SafetensorsWriter;
import dev.luthier.engine.weights.TensorData;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Writes a model as a Hugging Face directory: {@code config.json} and {@code model.safetensors}. */
public final class HfModelWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HfModelWriter() {
    }

    public static void write(Path dir, ModelConfig config, Map<String, TensorData> tensors) throws IOException {
        Files.createDirectories(dir);
        SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors);
        Files.writeString(dir.resolve("config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(configJson(config)));
    }

    /** A random model of the given shape, written as a directory (for tests and demos). */
    public static void writeRandom(Path dir, ModelConfig config, long seed, double std) throws IOException {
        write(dir, config, RandomModel.tensorData(config, seed, std));
    }

    public static ObjectNode configJson(ModelConfig c) {
        ObjectNode o = JSON.createObjectNode();
        String arch = switch (c.family()) {
            case LLAMA -> "LlamaForCausalLM";
            case QWEN2 -> "Qwen2ForCausalLM";
            case QWEN3 -> "Qwen3ForCausalLM";
            case QWEN3_MOE -> "Qwen3MoeForCausalLM";
        };
        o.putArray("architectures").add(arch);
        o.put("model_type", c.family().modelType());
        o.put("vocab_size", c.vocabSize());
        o.put("hidden_size", c.hiddenSize());
        o.put("intermediate_size", c.intermediateSize());
        o.put("num_hidden_layers", c.numLayers());
        o.put("num_attention_heads", c.numHeads());
        o.put("num_key_value_heads", c.numKvHeads());
        o.put("head_dim", c.headDim());
        o.put("rms_norm_eps", c.rmsNormEps());
        o.put("rope_theta", c.ropeTheta());
        if (c.ropeScaling() == null) {
            o.putNull("rope_scaling");
        } else {
            ObjectNode rs = o.putObject("rope_scaling");
            rs.put("rope_type", c.ropeScaling().type());
            rs.put("factor", c.ropeScaling().factor());
            rs.put("low_freq_factor", c.ropeScaling().lowFreqFactor());
            rs.put("high_freq_factor", c.ropeScaling().highFreqFactor());
            rs.put("original_max_position_embeddings", c.ropeScaling().originalMaxPositionEmbeddings());
        }
        o.put("max_position_embeddings", c.maxPositionEmbeddings());
        o.put("tie_word_embeddings", c.tieWordEmbeddings());
        o.put("hidden_act", "silu");
        if (c.family() == ModelFamily.LLAMA || c.family() == ModelFamily.QWEN3 || c.family() == ModelFamily.QWEN3_MOE) {
            o.put("attention_bias", c.oBias());
        }
        if (c.bosTokenId() != null) {
            o.put("bos_token_id", c.bosTokenId());
        }
        if (!c.eosTokenIds().isEmpty()) {
            if (c.eosTokenIds().size() == 1) {
                o.put("eos_token_id", c.eosTokenIds().getFirst());
            } else {
                ArrayNode eos = o.putArray("eos_token_id");
                c.eosTokenIds().forEach(eos::add);
            }
        }
        o.put("torch_dtype", c.torchDtype());
        if (c.numExperts() > 0) {
            o.put("num_experts", c.numExperts());
            o.put("num_experts_per_tok", c.numExpertsPerToken());
            o.put("moe_intermediate_size", c.moeIntermediateSize());
            o.put("norm_topk_prob", c.normTopkProb());
            o.put("decoder_sparse_step", c.decoderSparseStep());
            ArrayNode mlpOnly = o.putArray("mlp_only_layers");
            c.mlpOnlyLayers().forEach(mlpOnly::add);
        }
        return o;
    }
}
