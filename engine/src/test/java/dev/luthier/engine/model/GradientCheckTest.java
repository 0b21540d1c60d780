package dev.luthier.engine.model;

import dev.luthier.engine.Engine;
import dev.luthier.engine.ExampleResult;
import dev.luthier.engine.TrainingExample;
import dev.luthier.engine.kernels.Kernels;
import dev.luthier.engine.kernels.cpu.CpuKernels;
import dev.luthier.engine.lora.LoraAdapter;
import dev.luthier.engine.lora.LoraConfig;
import dev.luthier.engine.loss.CrossEntropyLoss;
import dev.luthier.engine.loss.LossInputs;
import dev.luthier.engine.optim.ParameterSet;
import dev.luthier.engine.tensor.DType;
import dev.luthier.engine.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End-to-end gradients of the cross-entropy sum against central finite differences, on tiny random models of each
 * family written here: LoRA on every target (attention, MLP, unembedding) and full fine-tuning of every weight.
 */
class GradientCheckTest {
    private static final double EPS = Double.parseDouble(System.getProperty("fd.eps", "2e-3"));

    static List<ModelConfig> families() {
        return TinyModels.all();
    }

    private static List<TrainingExample> examples(ModelConfig c, LoraAdapter adapter, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<TrainingExample> out = new ArrayList<>();
        for (int len : new int[]{5, 8}) {
            int[] in = new int[len];
            int[] target = new int[len];
            float[] w = new float[len];
            for (int i = 0; i < len; i++) {
                in[i] = r.nextInt(c.vocabSize());
                target[i] = r.nextInt(c.vocabSize());
                w[i] = (float) (r.nextDouble() * 2 - 0.5);
            }
            out.add(new TrainingExample(adapter, in, new CrossEntropyLoss(), LossInputs.crossEntropy(target, w)));
        }
        return out;
    }

    private static double loss(Engine engine, List<TrainingExample> examples) {
        double sum = 0;
        for (ExampleResult r : engine.forwardBackward(examples, false)) {
            sum += r.loss();
        }
        return sum;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void loraGradientsMatchFiniteDifferences(ModelConfig c) {
        Kernels k = new CpuKernels(1);
        try (Arena arena = Arena.ofShared()) {
            Transformer model = new Transformer(c, RandomModel.weights(c, k, 7, 0.3, DType.F32, arena), k, 64);
            Engine engine = new Engine(model);
            LoraAdapter adapter = engine.createAdapter("a", new LoraConfig(3, 6, 11, true, true, true));
            SplittableRandom r = new SplittableRandom(5);
            for (ParameterSet.Entry e : adapter.parameters()) {
                if (e.name().endsWith("lora_B.weight")) {
                    setHost(k, e.value(), randomArray(r, (int) e.value().size(), 0.2));
                }
            }
            List<TrainingExample> examples = examples(c, adapter, 3);
            engine.forwardBackward(examples, true);
            checkAgainstFiniteDifferences(k, engine, examples, adapter.parameters(), r, 3);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void fullFineTuningGradientsMatchFiniteDifferences(ModelConfig c) {
        Kernels k = new CpuKernels(1);
        try (Arena arena = Arena.ofShared()) {
            FullFineTuning full = FullFineTuning.of(c, RandomModel.weights(c, k, 9, 0.3, DType.F32, arena), k);
            Engine engine = new Engine(new Transformer(c, full.weights(), k, 64));
            List<TrainingExample> examples = examples(c, null, 4);
            engine.forwardBackward(examples, true);
            checkAgainstFiniteDifferences(k, engine, examples, full.parameters(), new SplittableRandom(8), 2);
        }
    }

    private static void checkAgainstFiniteDifferences(Kernels k, Engine engine, List<TrainingExample> examples,
                                                      List<ParameterSet.Entry> params, SplittableRandom r, int perTensor) {
        for (ParameterSet.Entry e : params) {
            float[] grad = k.toHost(e.grad());
            float[] value = k.toHost(e.value());
            double maxGrad = 0;
            for (float g : grad) {
                maxGrad = Math.max(maxGrad, Math.abs(g));
            }
            assertThat(maxGrad).as("gradient of " + e.name() + " is all zero").isGreaterThan(0);
            for (int n = 0; n < perTensor; n++) {
                int i = r.nextInt(value.length);
                float original = value[i];
                value[i] = (float) (original + EPS);
                setHost(k, e.value(), value);
                double plus = loss(engine, examples);
                value[i] = (float) (original - EPS);
                setHost(k, e.value(), value);
                double minus = loss(engine, examples);
                value[i] = original;
                setHost(k, e.value(), value);
                double fd = (plus - minus) / (2 * EPS);
                assertThat(Math.abs(fd - grad[i])).as("%s[%d]: finite difference %f, backward %f", e.name(), i, fd, grad[i])
                        .isLessThanOrEqualTo(3e-3 + 1e-2 * Math.max(Math.abs(grad[i]), 0.1 * maxGrad));
            }
        }
    }

    private static float[] randomArray(SplittableRandom r, int n, double scale) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) ((2 * r.nextDouble() - 1) * scale);
        }
        return out;
    }

    private static void setHost(Kernels k, Tensor t, float[] values) {
        k.copy(k.fromHost(values, t.rows(), t.cols()), t);
    }
}
