package dev.luthier.engine.model;

import dev.luthier.engine.kernels.Kernels;
import dev.luthier.engine.tensor.Tensor;
import dev.luthier.engine.weights.ModelWeights;
import dev.luthier.engine.weights.TensorInfo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A model loaded from a Hugging Face directory ({@code config.json} + safetensors). Base weights stay memory-mapped
 * in their file dtype; closing the model unmaps them.
 */
public final class LoadedModel implements AutoCloseable {
    private final Path dir;
    private final ModelConfig config;
    private final ModelWeights files;
    private final Transformer transformer;

    private LoadedModel(Path dir, ModelConfig config, ModelWeights files, Transformer transformer) {
        this.dir = dir;
        this.config = config;
        this.files = files;
        this.transformer = transformer;
    }

    /** Loads a model; {@code maxPositions} ≤ 0 uses the config's {@code max_position_embeddings}. */
    public static LoadedModel load(Path dir, Kernels kernels, int maxPositions) throws IOException {
        ModelConfig config = HfConfigReader.read(dir.resolve("config.json"));
        ModelWeights files = ModelWeights.open(dir);
        try {
            TransformerWeights weights = weights(config, files, kernels);
            int positions = maxPositions > 0 ? maxPositions : config.maxPositionEmbeddings();
            return new LoadedModel(dir, config, files, new Transformer(config, weights, kernels, positions));
        } catch (RuntimeException e) {
            files.close();
            throw e;
        }
    }

    static TransformerWeights weights(ModelConfig c, ModelWeights files, Kernels k) {
        int d = c.hiddenSize();
        Param embedding = matrix(files, k, WeightNames.EMBEDDING, c.vocabSize(), d);
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < c.numLayers(); l++) {
            boolean moe = c.isMoeLayer(l);
            layers.add(new LayerWeights(
                    vector(files, k, WeightNames.layer(l, "input_layernorm.weight"), d),
                    matrix(files, k, WeightNames.layer(l, "self_attn.q_proj.weight"), c.qDim(), d),
                    matrix(files, k, WeightNames.layer(l, "self_attn.k_proj.weight"), c.kvDim(), d),
                    matrix(files, k, WeightNames.layer(l, "self_attn.v_proj.weight"), c.kvDim(), d),
                    matrix(files, k, WeightNames.layer(l, "self_attn.o_proj.weight"), d, c.qDim()),
                    c.qkvBias() ? vector(files, k, WeightNames.layer(l, "self_attn.q_proj.bias"), c.qDim()) : null,
                    c.qkvBias() ? vector(files, k, WeightNames.layer(l, "self_attn.k_proj.bias"), c.kvDim()) : null,
                    c.qkvBias() ? vector(files, k, WeightNames.layer(l, "self_attn.v_proj.bias"), c.kvDim()) : null,
                    c.oBias() ? vector(files, k, WeightNames.layer(l, "self_attn.o_proj.bias"), d) : null,
                    c.qkNorm() ? vector(files, k, WeightNames.layer(l, "self_attn.q_norm.weight"), c.headDim()) : null,
                    c.qkNorm() ? vector(files, k, WeightNames.layer(l, "self_attn.k_norm.weight"), c.headDim()) : null,
                    vector(files, k, WeightNames.layer(l, "post_attention_layernorm.weight"), d),
                    moe ? null : matrix(files, k, WeightNames.layer(l, "mlp.gate_proj.weight"), c.intermediateSize(), d),
                    moe ? null : matrix(files, k, WeightNames.layer(l, "mlp.up_proj.weight"), c.intermediateSize(), d),
                    moe ? null : matrix(files, k, WeightNames.layer(l, "mlp.down_proj.weight"), d, c.intermediateSize()),
                    moe ? matrix(files, k, WeightNames.router(l), c.numExperts(), d) : null,
                    moe ? experts(c, files, k, l) : List.of()));
        }
        Param finalNorm = vector(files, k, WeightNames.FINAL_NORM, d);
        Param lmHead = c.tieWordEmbeddings() ? embedding : matrix(files, k, WeightNames.LM_HEAD, c.vocabSize(), d);
        return new TransformerWeights(embedding, layers, finalNorm, lmHead);
    }

    private static List<ExpertWeights> experts(ModelConfig c, ModelWeights files, Kernels k, int l) {
        int d = c.hiddenSize(), i = c.moeIntermediateSize();
        List<ExpertWeights> out = new ArrayList<>();
        for (int e = 0; e < c.numExperts(); e++) {
            out.add(new ExpertWeights(matrix(files, k, WeightNames.expert(l, e, "gate_proj"), i, d),
                    matrix(files, k, WeightNames.expert(l, e, "up_proj"), i, d),
                    matrix(files, k, WeightNames.expert(l, e, "down_proj"), d, i)));
        }
        return out;
    }

    private static Param matrix(ModelWeights files, Kernels k, String name, int rows, int cols) {
        TensorInfo t = files.require(name, rows, cols);
        return Param.frozen(k.weight(t.bytes(), t.dtype(), rows, cols));
    }

    private static Param vector(ModelWeights files, Kernels k, String name, int n) {
        TensorInfo t = files.require(name, n);
        Tensor w = k.weight(t.bytes(), t.dtype(), 1, n);
        return Param.frozen(w);
    }

    public Path dir() {
        return dir;
    }

    public ModelConfig config() {
        return config;
    }

    public Transformer transformer() {
        return transformer;
    }

    @Override
    public void close() {
        files.close();
    }
}
