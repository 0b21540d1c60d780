package dev.luthier.cli.bench;

import dev.luthier.engine.kernels.cpu.MachineLimits;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.luthier.engine.Engine;
import dev.luthier.engine.TrainingExample;
import dev.luthier.engine.kernels.cpu.CpuKernels;
import dev.luthier.engine.lora.LoraAdapter;
import dev.luthier.engine.lora.LoraConfig;
import dev.luthier.engine.loss.CrossEntropyLoss;
import dev.luthier.engine.loss.LossInputs;
import dev.luthier.engine.model.ModelConfig;
import dev.luthier.engine.model.ModelPresets;
import dev.luthier.engine.optim.AdamParams;
import dev.luthier.engine.optim.AdamW;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/** {@code luthier bench train}: LoRA training steps (forward, backward, AdamW) against the machine's FMA peak. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Time LoRA training steps and report tokens/s, GFLOP/s and utilisation of the measured fp32 FMA peak.")
public final class TrainBench implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--tokens", defaultValue = "2048", description = "tokens per step (default ${DEFAULT-VALUE})")
    int tokens;

    @Option(names = "--seq-len", defaultValue = "512", description = "tokens per sequence (default ${DEFAULT-VALUE})")
    int seqLen;

    @Option(names = "--rank", defaultValue = "16", description = "LoRA rank, on every projection (default ${DEFAULT-VALUE})")
    int rank;

    @Option(names = "--steps", defaultValue = "3", description = "timed steps after one warm-up step (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--compare", description = "a second preset trained in alternation with the first, one step each, "
            + "same JVM: reports the median per-round ratio of training throughput per active parameter")
    String compare;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() throws Exception {
        if (compare != null) {
            return compareTraining();
        }
        int t = output.threads();
        double peak = MachineLimits.fmaGflops(t, true, false);
        CpuKernels kernels = new CpuKernels(t);
        int len = Math.min(seqLen, tokens);
        try (ModelOptions.Opened opened = model.open(kernels, len)) {
            StepRunner runner = new StepRunner(opened, kernels, len);
            ModelConfig c = runner.config;
            int stepTokens = runner.stepTokens;
            double[] seconds = new double[steps + 1];
            double[] losses = new double[steps + 1];
            for (int s = 0; s <= steps; s++) {
                seconds[s] = runner.step();
                losses[s] = runner.lastLoss / stepTokens;
                if (!output.json()) {
                    System.err.printf("step %d: %.2f s, %.0f tokens/s, mean loss %.4f%s%n", s, seconds[s],
                            stepTokens / seconds[s], losses[s], s == 0 ? " (warm-up)" : "");
                }
            }
            double median = median(Arrays.copyOfRange(seconds, 1, seconds.length));
            double tps = stepTokens / median;
            double flopsPerToken = flopsPerToken(c, runner.adapter, len);
            double gflops = tps * flopsPerToken / 1e9;
            ObjectNode out = output.newResult();
            out.put("benchmark", "train");
            out.put("model", opened.name());
            out.put("threads", t);
            out.put("tokens_per_step", stepTokens);
            out.put("sequence_length", len);
            out.put("lora_rank", rank);
            out.put("step_seconds_median", median);
            out.put("tokens_per_second", tps);
            out.put("flops_per_token", flopsPerToken);
            out.put("flop_count", "4N (forward 2N + input gradients 2N through frozen weights) + 6*sum r(in+out) (LoRA forward, dX, dW) + 6*T*H*hd*L (causal attention forward and backward)");
            out.put("gflops", gflops);
            out.put("peak_gflops", peak);
            out.put("utilization", gflops / peak);
            out.put("loss_first_step", losses[0]);
            out.put("loss_last_step", losses[steps]);
            output.print(out);
        }
        return 0;
    }

    /** One model's LoRA adapter, optimizer and fixed batch, stepped on demand. */
    private final class StepRunner {
        final ModelConfig config;
        final Engine engine;
        final LoraAdapter adapter;
        final AdamW optimizer;
        final List<TrainingExample> batch;
        final int stepTokens;
        double lastLoss;

        StepRunner(ModelOptions.Opened opened, CpuKernels kernels, int len) {
            config = opened.transformer().config();
            engine = new Engine(opened.transformer());
            adapter = engine.createAdapter("bench", new LoraConfig(rank, 32, 0, true, true, false));
            optimizer = new AdamW(kernels);
            batch = batch(config, adapter, len);
            stepTokens = batch.stream().mapToInt(e -> e.inputTokens().length).sum();
        }

        /** Seconds taken by one forward, backward and AdamW step. */
        double step() {
            long start = System.nanoTime();
            lastLoss = engine.forwardBackward(batch, true).stream().mapToDouble(r -> r.loss()).sum();
            optimizer.apply(adapter, AdamParams.of(1e-4));
            return (System.nanoTime() - start) / 1e9;
        }
    }

    /**
     * Trains the two models in alternation, one step each per round after a warm-up step each, so that load from
     * elsewhere on a shared machine slows both alike; the median of the per-round ratios is reported.
     */
    private int compareTraining() throws Exception {
        int t = output.threads();
        CpuKernels kernels = new CpuKernels(t);
        int len = Math.min(seqLen, tokens);
        try (ModelOptions.Opened a = model.open(kernels, len);
             ModelOptions.Opened b = ModelOptions.openPreset(compare, model.dtype, kernels, len)) {
            StepRunner ra = new StepRunner(a, kernels, len), rb = new StepRunner(b, kernels, len);
            double activeA = ModelPresets.matmulParameters(ra.config), activeB = ModelPresets.matmulParameters(rb.config);
            ra.step();
            rb.step();
            double[] tpsA = new double[steps], tpsB = new double[steps], ratios = new double[steps];
            for (int s = 0; s < steps; s++) {
                tpsA[s] = ra.stepTokens / ra.step();
                tpsB[s] = rb.stepTokens / rb.step();
                ratios[s] = tpsA[s] * activeA / (tpsB[s] * activeB);
                if (!output.json()) {
                    System.err.printf("round %d: %.0f vs %.0f tokens/s, ratio per active parameter %.3f%n",
                            s, tpsA[s], tpsB[s], ratios[s]);
                }
            }
            ObjectNode out = output.newResult();
            out.put("benchmark", "train-compare");
            out.put("model", a.name());
            out.put("compare", b.name());
            out.put("threads", t);
            out.put("tokens_per_step", ra.stepTokens);
            out.put("sequence_length", len);
            out.put("lora_rank", rank);
            out.put("active_parameters", activeA);
            out.put("compare_active_parameters", activeB);
            out.put("tokens_per_second_median", median(tpsA));
            out.put("compare_tokens_per_second_median", median(tpsB));
            out.put("ratio_per_active_parameter_median", median(ratios));
            var all = out.putArray("ratios");
            for (double v : ratios) {
                all.add(v);
            }
            output.print(out);
        }
        return 0;
    }

    private List<TrainingExample> batch(ModelConfig c, LoraAdapter adapter, int len) {
        SplittableRandom r = new SplittableRandom(17);
        List<TrainingExample> out = new ArrayList<>();
        for (int remaining = tokens; remaining > 0; remaining -= len) {
            int n = Math.min(len, remaining);
            int[] seq = new int[n + 1];
            for (int i = 0; i < seq.length; i++) {
                seq[i] = r.nextInt(c.vocabSize());
            }
            float[] w = new float[n];
            Arrays.fill(w, 1f);
            out.add(new TrainingExample(adapter, Arrays.copyOf(seq, n), new CrossEntropyLoss(),
                    LossInputs.crossEntropy(Arrays.copyOfRange(seq, 1, n + 1), w)));
        }
        return out;
    }

    static double flopsPerToken(ModelConfig c, LoraAdapter adapter, int seqLen) {
        double n = ModelPresets.matmulParameters(c);
        double lora = 0;
        for (LoraAdapter.NamedModule m : adapter.modules()) {
            // an expert's LoRA runs only on the tokens routed to it: top_k of num_experts on average
            double active = m.expert() >= 0 ? (double) c.numExpertsPerToken() / c.numExperts() : 1;
            lora += active * m.module().rank() * (m.module().inFeatures() + m.module().outFeatures());
        }
        double attention = 6.0 * seqLen * c.numHeads() * c.headDim() * c.numLayers();
        return 4 * n + 6 * lora + attention;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

}
