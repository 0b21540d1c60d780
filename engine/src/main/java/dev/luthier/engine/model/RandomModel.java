package dev.luthier.engine.model;

import dev.luthier.engine.kernels.Kernels;
import dev.luthier.engine.tensor.DType;
import dev.luthier.engine.tensor.Tensor;
import dev.luthier.engine.weights.TensorData;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Models with random weights of a given shape, for benchmarks and tests: matrices uniform with standard deviation
 * {@code std}, norm weights uniform in [0.8, 1.2], biases small. Weights live off-heap in the given dtype, as a
 * memory-mapped checkpoint's would.
 */
public final class RandomModel {
    private RandomModel() {
    }

    /** Every tensor of the model as Hugging Face names it, in order, with its shape. */
    public static Map<String, int[]> shapes(ModelConfig c) {
        Map<String, int[]> out = new LinkedHashMap<>();
        int d = c.hiddenSize();
        out.put(WeightNames.EMBEDDING, new int[]{c.vocabSize(), d});
        for (int l = 0; l < c.numLayers(); l++) {
            out.put(WeightNames.layer(l, "input_layernorm.weight"), new int[]{d});
            out.put(WeightNames.layer(l, "self_attn.q_proj.weight"), new int[]{c.qDim(), d});
            out.put(WeightNames.layer(l, "self_attn.k_proj.weight"), new int[]{c.kvDim(), d});
            out.put(WeightNames.layer(l, "self_attn.v_proj.weight"), new int[]{c.kvDim(), d});
            out.put(WeightNames.layer(l, "self_attn.o_proj.weight"), new int[]{d, c.qDim()});
            if (c.qkvBias()) {
                out.put(WeightNames.layer(l, "self_attn.q_proj.bias"), new int[]{c.qDim()});
                out.put(WeightNames.layer(l, "self_attn.k_proj.bias"), new int[]{c.kvDim()});
                out.put(WeightNames.layer(l, "self_attn.v_proj.bias"), new int[]{c.kvDim()});
            }
            if (c.oBias()) {
                out.put(WeightNames.layer(l, "self_attn.o_proj.bias"), new int[]{d});
            }
            if (c.qkNorm()) {
                out.put(WeightNames.layer(l, "self_attn.q_norm.weight"), new int[]{c.headDim()});
                out.put(WeightNames.layer(l, "self_attn.k_norm.weight"), new int[]{c.headDim()});
            }
            out.put(WeightNames.layer(l, "post_attention_layernorm.weight"), new int[]{d});
            if (c.isMoeLayer(l)) {
                int i = c.moeIntermediateSize();
                out.put(WeightNames.router(l), new int[]{c.numExperts(), d});
                for (int e = 0; e < c.numExperts(); e++) {
                    out.put(WeightNames.expert(l, e, "gate_proj"), new int[]{i, d});
                    out.put(WeightNames.expert(l, e, "up_proj"), new int[]{i, d});
                    out.put(WeightNames.expert(l, e, "down_proj"), new int[]{d, i});
                }
            } else {
                out.put(WeightNames.layer(l, "mlp.gate_proj.weight"), new int[]{c.intermediateSize(), d});
                out.put(WeightNames.layer(l, "mlp.up_proj.weight"), new int[]{c.intermediateSize(), d});
                out.put(WeightNames.layer(l, "mlp.down_proj.weight"), new int[]{d, c.intermediateSize()});
            }
        }
        out.put(WeightNames.FINAL_NORM, new int[]{d});
        if (!c.tieWordEmbeddings()) {
            out.put(WeightNames.LM_HEAD, new int[]{c.vocabSize(), d});
        }
        return out;
    }

    /** Random values for one tensor, deterministic in (seed, name). */
    public static float[] values(String name, int[] shape, long seed, double std) {
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        float[] v = new float[Math.toIntExact(n)];
        fill(name, seed, std, (i, x) -> v[i] = x, v.length);
        return v;
    }

    private interface Sink {
        void put(int index, float value);
    }

    private static void fill(String name, long seed, double std, Sink sink, int n) {
        SplittableRandom random = new SplittableRandom(seed ^ name.hashCode() * 0x9E3779B97F4A7C15L);
        if (name.endsWith("norm.weight")) {
            for (int i = 0; i < n; i++) {
                sink.put(i, (float) (0.8 + 0.4 * random.nextDouble()));
            }
        } else {
            double bound = std * Math.sqrt(3) * (name.endsWith(".bias") ? 0.5 : 1);
            for (int i = 0; i < n; i++) {
                sink.put(i, (float) ((2 * random.nextDouble() - 1) * bound));
            }
        }
    }

    /** Random weights held off-heap in {@code dtype}, tensors filled in parallel. */
    public static TransformerWeights weights(ModelConfig c, Kernels k, long seed, double std, DType dtype, Arena arena) {
        Map<String, int[]> shapes = shapes(c);
        List<String> names = new ArrayList<>(shapes.keySet());
        Map<String, Tensor> tensors = new java.util.concurrent.ConcurrentHashMap<>();
        IntStream.range(0, names.size()).parallel().forEach(i -> {
            String name = names.get(i);
            int[] shape = shapes.get(name);
            int rows = shape.length == 1 ? 1 : shape[0];
            int cols = shape.length == 1 ? shape[0] : shape[1];
            boolean vector = shape.length == 1;
            DType type = vector ? DType.F32 : dtype;
            MemorySegment seg;
            synchronized (arena) {
                seg = arena.allocate((long) rows * cols * type.bytes(), 64);
            }
            ValueLayout.OfFloat f32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            ValueLayout.OfShort i16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            fill(name, seed, std, type == DType.F32
                    ? (idx, x) -> seg.setAtIndex(f32, idx, x)
                    : type == DType.BF16 ? (idx, x) -> seg.setAtIndex(i16, idx, TensorData.toBf16(x))
                    : (idx, x) -> seg.setAtIndex(i16, idx, Float.floatToFloat16(x)), rows * cols);
            tensors.put(name, k.weight(seg, type, rows, cols));
        });
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < c.numLayers(); l++) {
            final int layer = l;
            java.util.function.Function<String, Param> p = s -> {
                Tensor t = tensors.get(WeightNames.layer(layer, s));
                return t == null ? null : Param.frozen(t);
            };
            layers.add(new LayerWeights(p.apply("input_layernorm.weight"), p.apply("self_attn.q_proj.weight"),
                    p.apply("self_attn.k_proj.weight"), p.apply("self_attn.v_proj.weight"), p.apply("self_attn.o_proj.weight"),
                    p.apply("self_attn.q_proj.bias"), p.apply("self_attn.k_proj.bias"), p.apply("self_attn.v_proj.bias"),
                    p.apply("self_attn.o_proj.bias"), p.apply("self_attn.q_norm.weight"), p.apply("self_attn.k_norm.weight"),
                    p.apply("post_attention_layernorm.weight"), p.apply("mlp.gate_proj.weight"),
                    p.apply("mlp.up_proj.weight"), p.apply("mlp.down_proj.weight"), p.apply("mlp.gate.weight"),
                    experts(c, l, p)));
        }
        Param embedding = Param.frozen(tensors.get(WeightNames.EMBEDDING));
        Param head = c.tieWordEmbeddings() ? embedding : Param.frozen(tensors.get(WeightNames.LM_HEAD));
        return new TransformerWeights(embedding, layers, Param.frozen(tensors.get(WeightNames.FINAL_NORM)), head);
    }

    private static List<ExpertWeights> experts(ModelConfig c, int l, java.util.function.Function<String, Param> p) {
        List<ExpertWeights> out = new ArrayList<>();
        if (c.isMoeLayer(l)) {
            for (int e = 0; e < c.numExperts(); e++) {
                String prefix = "mlp.experts." + e + ".";
                out.add(new ExpertWeights(p.apply(prefix + "gate_proj.weight"), p.apply(prefix + "up_proj.weight"),
                        p.apply(prefix + "down_proj.weight")));
            }
        }
        return out;
    }

    /** Every tensor as F32 {@link TensorData}, for writing a safetensors checkpoint. */
    public static Map<String, TensorData> tensorData(ModelConfig c, long seed, double std) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        shapes(c).forEach((name, shape) -> {
            long[] s = new long[shape.length];
            for (int i = 0; i < shape.length; i++) {
                s[i] = shape[i];
            }
            out.put(name, TensorData.f32(values(name, shape, seed, std), s));
        });
        return out;
    }
}
