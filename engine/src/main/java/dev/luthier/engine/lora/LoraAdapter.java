package dev.luthier.engine.lora;

import dev.luthier.engine.kernels.Kernels;
import dev.luthier.engine.model.ModelConfig;
import dev.luthier.engine.optim.ParameterSet;
import dev.luthier.engine.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A LoRA adapter on a base model: a {@link LoraModule} per trained projection of every layer (and optionally the
 * unembedding). A is initialised like PEFT's default ({@code kaiming_uniform_(a=√5)}, i.e. U(−1/√in, 1/√in)) from
 * the config's seed, B is zero, so a fresh adapter leaves the model unchanged.
 */
public final class LoraAdapter implements ParameterSet {
    private final String id;
    private final LoraConfig config;
    private final LoraModule[][] layers;
    /** {@code [layer][expert][target ordinal]}: per-expert MLP LoRA of mixture-of-experts layers (null elsewhere). */
    private final LoraModule[][][] experts;
    private final LoraModule lmHead;

    private LoraAdapter(String id, LoraConfig config, LoraModule[][] layers, LoraModule[][][] experts, LoraModule lmHead) {
        this.id = id;
        this.config = config;
        this.layers = layers;
        this.experts = experts == null ? new LoraModule[layers.length][][] : experts;
        this.lmHead = lmHead;
    }

    /** A fresh adapter: A from the seed, B zero. */
    public static LoraAdapter create(String id, LoraConfig config, ModelConfig model, Kernels kernels) {
        int r = config.rank();
        LoraModule[][] layers = new LoraModule[model.numLayers()][LoraTarget.values().length];
        LoraModule[][][] experts = new LoraModule[model.numLayers()][][];
        for (int l = 0; l < model.numLayers(); l++) {
            boolean moe = model.isMoeLayer(l);
            if (moe) {
                experts[l] = new LoraModule[model.numExperts()][LoraTarget.values().length];
            }
            for (LoraTarget t : LoraTarget.values()) {
                if (t == LoraTarget.LM_HEAD || !config.trains(t)) {
                    continue;
                }
                if (moe && t.isMlp()) {
                    for (int e = 0; e < model.numExperts(); e++) {
                        experts[l][e][t.ordinal()] = newModule(kernels, r, expertInFeatures(model, t),
                                expertOutFeatures(model, t), expertSeed(config.seed(), l, e, t));
                    }
                    continue;
                }
                int in = inFeatures(model, t);
                int out = outFeatures(model, t);
                layers[l][t.ordinal()] = newModule(kernels, r, in, out, moduleSeed(config.seed(), l, t));
            }
        }
        LoraModule head = config.trainUnembed()
                ? newModule(kernels, r, model.hiddenSize(), model.vocabSize(), moduleSeed(config.seed(), -1, LoraTarget.LM_HEAD))
                : null;
        return new LoraAdapter(id, config, layers, experts, head);
    }

    /** An adapter over given A and B tensors (for example loaded from a PEFT directory or a checkpoint). */
    public static LoraAdapter of(String id, LoraConfig config, LoraModule[][] layers, LoraModule lmHead) {
        return new LoraAdapter(id, config, layers, null, lmHead);
    }

    /**
     * The same with per-expert modules: {@code experts[layer][expert][target ordinal]} ({@code experts[layer]} null
     * for a layer without experts).
     */
    public static LoraAdapter of(String id, LoraConfig config, LoraModule[][] layers, LoraModule[][][] experts,
                                 LoraModule lmHead) {
        return new LoraAdapter(id, config, layers, experts, lmHead);
    }

    /**
     * An adapter whose A and B come from PEFT-named tensors ({@code <prefix>.lora_A.weight}), looked up by
     * {@code lookup} (null when absent: that module is not trained). Shapes are checked.
     */
    public static LoraAdapter fromPeftTensors(String id, LoraConfig config, ModelConfig model, Kernels kernels,
                                              java.util.function.Function<String, float[]> lookup) {
        int r = config.rank();
        LoraModule[][] layers = new LoraModule[model.numLayers()][LoraTarget.values().length];
        LoraModule[][][] experts = new LoraModule[model.numLayers()][][];
        for (int l = 0; l < model.numLayers(); l++) {
            boolean moe = model.isMoeLayer(l);
            if (moe) {
                experts[l] = new LoraModule[model.numExperts()][LoraTarget.values().length];
            }
            for (LoraTarget t : LoraTarget.values()) {
                if (t == LoraTarget.LM_HEAD) {
                    continue;
                }
                if (moe && t.isMlp()) {
                    for (int e = 0; e < model.numExperts(); e++) {
                        experts[l][e][t.ordinal()] = loadModule(kernels, lookup, expertPrefix(l, e, t), r,
                                expertInFeatures(model, t), expertOutFeatures(model, t));
                    }
                    continue;
                }
                String prefix = "base_model.model.model.layers." + l + "." + t.block() + "." + t.moduleName();
                layers[l][t.ordinal()] = loadModule(kernels, lookup, prefix, r, inFeatures(model, t), outFeatures(model, t));
            }
        }
        LoraModule head = loadModule(kernels, lookup, "base_model.model.lm_head", r, model.hiddenSize(), model.vocabSize());
        return new LoraAdapter(id, config, layers, experts, head);
    }

    private static LoraModule loadModule(Kernels kernels, java.util.function.Function<String, float[]> lookup,
                                         String prefix, int r, int in, int out) {
        float[] a = lookup.apply(prefix + ".lora_A.weight");
        float[] b = lookup.apply(prefix + ".lora_B.weight");
        if (a == null && b == null) {
            return null;
        }
        if (a == null || b == null) {
            throw new IllegalArgumentException("LoRA module " + prefix + " has only one of lora_A and lora_B");
        }
        if (a.length != r * in || b.length != out * r) {
            throw new IllegalArgumentException("LoRA module " + prefix + ": expected A [" + r + ", " + in + "] and B ["
                    + out + ", " + r + "], got " + a.length + " and " + b.length + " values");
        }
        return new LoraModule(kernels.fromHost(a, r, in), kernels.fromHost(b, out, r),
                kernels.allocate(r, in), kernels.allocate(out, r));
    }

    public static int inFeatures(ModelConfig m, LoraTarget t) {
        return switch (t) {
            case Q_PROJ, K_PROJ, V_PROJ, GATE_PROJ, UP_PROJ, LM_HEAD -> m.hiddenSize();
            case O_PROJ -> m.qDim();
            case DOWN_PROJ -> m.intermediateSize();
        };
    }

    public static int outFeatures(ModelConfig m, LoraTarget t) {
        return switch (t) {
            case Q_PROJ -> m.qDim();
            case K_PROJ, V_PROJ -> m.kvDim();
            case O_PROJ, DOWN_PROJ -> m.hiddenSize();
            case GATE_PROJ, UP_PROJ -> m.intermediateSize();
            case LM_HEAD -> m.vocabSize();
        };
    }

    /** In and out features of an expert's {@code gate_proj}, {@code up_proj} or {@code down_proj}. */
    public static int expertInFeatures(ModelConfig m, LoraTarget t) {
        return t == LoraTarget.DOWN_PROJ ? m.moeIntermediateSize() : m.hiddenSize();
    }

    public static int expertOutFeatures(ModelConfig m, LoraTarget t) {
        return t == LoraTarget.DOWN_PROJ ? m.hiddenSize() : m.moeIntermediateSize();
    }

    static String expertPrefix(int layer, int expert, LoraTarget t) {
        return "base_model.model.model.layers." + layer + ".mlp.experts." + expert + "." + t.moduleName();
    }

    private static long expertSeed(long seed, int layer, int expert, LoraTarget t) {
        return moduleSeed(seed, layer, t) ^ ((expert + 1) * 0xD1B54A32D192ED03L);
    }

    private static long moduleSeed(long seed, int layer, LoraTarget t) {
        return seed * 0x9E3779B97F4A7C15L + (layer + 1) * 131L + t.ordinal();
    }

    private static LoraModule newModule(Kernels kernels, int r, int in, int out, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] a = new float[r * in];
        double bound = 1.0 / Math.sqrt(in);
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) ((2 * random.nextDouble() - 1) * bound);
        }
        return new LoraModule(kernels.fromHost(a, r, in), kernels.allocate(out, r),
                kernels.allocate(r, in), kernels.allocate(out, r));
    }

    public String id() {
        return id;
    }

    public LoraConfig config() {
        return config;
    }

    public float scale() {
        return config.scale();
    }

    /** The module on {@code target} of {@code layer}, or null when the adapter does not train it. */
    public LoraModule module(int layer, LoraTarget target) {
        return target == LoraTarget.LM_HEAD ? lmHead : layers[layer][target.ordinal()];
    }

    /** Expert {@code expert}'s module on {@code target} (an MLP projection) of {@code layer}, or null. */
    public LoraModule expertModule(int layer, int expert, LoraTarget target) {
        LoraModule[][] l = experts[layer];
        return l == null ? null : l[expert][target.ordinal()];
    }

    public LoraModule lmHead() {
        return lmHead;
    }

    public int numLayers() {
        return layers.length;
    }

    /** Every module with its PEFT name prefix, in a stable order (layers ascending, targets in enum order). */
    public List<NamedModule> modules() {
        List<NamedModule> out = new ArrayList<>();
        for (int l = 0; l < layers.length; l++) {
            for (LoraTarget t : LoraTarget.values()) {
                LoraModule m = layers[l][t.ordinal()];
                if (m != null) {
                    out.add(new NamedModule("base_model.model.model.layers." + l + "." + t.block() + "." + t.moduleName(), l, t, m));
                }
            }
            if (experts[l] != null) {
                for (int e = 0; e < experts[l].length; e++) {
                    for (LoraTarget t : LoraTarget.values()) {
                        LoraModule m = experts[l][e][t.ordinal()];
                        if (m != null) {
                            out.add(new NamedModule(expertPrefix(l, e, t), l, t, m, e));
                        }
                    }
                }
            }
        }
        if (lmHead != null) {
            out.add(new NamedModule("base_model.model.lm_head", -1, LoraTarget.LM_HEAD, lmHead));
        }
        return out;
    }

    /**
     * A module with its PEFT name prefix (append {@code .lora_A.weight} / {@code .lora_B.weight}); {@code expert} is
     * the expert of a mixture-of-experts MLP, -1 for none.
     */
    public record NamedModule(String peftPrefix, int layer, LoraTarget target, LoraModule module, int expert) {
        public NamedModule(String peftPrefix, int layer, LoraTarget target, LoraModule module) {
            this(peftPrefix, layer, target, module, -1);
        }
    }

    /** Every trainable tensor with its gradient, named as in a PEFT adapter file. */
    @Override
    public List<Entry> parameters() {
        List<Entry> out = new ArrayList<>();
        for (NamedModule nm : modules()) {
            out.add(new Entry(nm.peftPrefix() + ".lora_A.weight", nm.module().a(), nm.module().gradA()));
            out.add(new Entry(nm.peftPrefix() + ".lora_B.weight", nm.module().b(), nm.module().gradB()));
        }
        return out;
    }

    public void forEachGradient(Consumer<Tensor> visitor) {
        for (Entry e : parameters()) {
            visitor.accept(e.grad());
        }
    }
}
