package dev.luthier.engine.determinism;

import dev.luthier.engine.Engine;
import dev.luthier.engine.TrainingExample;
import dev.luthier.engine.kernels.cpu.CpuKernels;
import dev.luthier.engine.lora.LoraAdapter;
import dev.luthier.engine.lora.LoraConfig;
import dev.luthier.engine.loss.CrossEntropyLoss;
import dev.luthier.engine.loss.LossInputs;
import dev.luthier.engine.model.ModelConfig;
import dev.luthier.engine.model.ModelPresets;
import dev.luthier.engine.model.RandomModel;
import dev.luthier.engine.model.Transformer;
import dev.luthier.engine.optim.AdamParams;
import dev.luthier.engine.optim.AdamW;
import dev.luthier.engine.tensor.DType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code -Dluthier.deterministic=true} promises that a training run repeats bit for bit. Each run is a fresh JVM, so
 * the kernels go through the JIT's tiers (interpreted, then compiled) at moments of their own, which is what made
 * runs differ before: the losses of every step, printed as exact bits, must be equal.
 */
class RepeatableTrainingTest {

    /** Trains a LoRA adapter on the tiny preset for a few steps and prints each step's loss as its bits. */
    public static void main(String[] args) {
        ModelConfig c = ModelPresets.get("tiny");
        CpuKernels k = new CpuKernels(2);
        Transformer t = new Transformer(c, RandomModel.weights(c, k, 1, 0.02, DType.F32, Arena.ofShared()), k, 96);
        Engine engine = new Engine(t);
        LoraAdapter adapter = engine.createAdapter("a", new LoraConfig(8, 16, 3, true, true, false));
        AdamW optimizer = new AdamW(k);
        SplittableRandom r = new SplittableRandom(5);
        List<TrainingExample> batch = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
            int[] seq = r.ints(97, 0, c.vocabSize()).toArray();
            float[] w = new float[96];
            Arrays.fill(w, 1f);
            batch.add(new TrainingExample(adapter, Arrays.copyOf(seq, 96), new CrossEntropyLoss(),
                    LossInputs.crossEntropy(Arrays.copyOfRange(seq, 1, 97), w)));
        }
        StringBuilder out = new StringBuilder();
        for (int step = 0; step < 6; step++) {
            double loss = engine.forwardBackward(batch, true).stream().mapToDouble(e -> e.loss()).sum();
            optimizer.apply(adapter, AdamParams.of(5e-3));
            out.append(Long.toHexString(Double.doubleToRawLongBits(loss))).append(' ');
        }
        System.out.println("losses " + out.toString().strip());
        System.exit(0);
    }

    private static String run() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "--add-modules", "jdk.incubator.vector",
                "-Dluthier.deterministic=true", "-cp", System.getProperty("java.class.path"),
                RepeatableTrainingTest.class.getName()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        return output.lines().filter(l -> l.startsWith("losses ")).findFirst().orElseThrow(() -> new AssertionError(output));
    }

    @Test
    void twoRunsInFreshJvmsGiveTheSameLossesBitForBit() throws Exception {
        String first = run();
        String second = run();
        assertThat(first.split(" ")).hasSize(7);
        assertThat(second).isEqualTo(first);
    }
}
