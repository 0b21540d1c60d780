package dev.luthier.cli.bench;

import dev.luthier.engine.kernels.cpu.MachineLimits;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.luthier.engine.kernels.cpu.CpuKernels;
import dev.luthier.engine.model.KvCache;
import dev.luthier.engine.model.ModelConfig;
import dev.luthier.engine.model.ModelPresets;
import dev.luthier.engine.model.PackedBatch;
import dev.luthier.engine.sampler.SampleRequest;
import dev.luthier.engine.sampler.Sampler;
import dev.luthier.engine.sampler.SamplingParams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/** {@code luthier bench sample}: prefill and decode throughput, against the memory-bandwidth bound. */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Time prefill and decoding at batch 1 and batch B; compare batch-1 decoding with the bandwidth bound.")
public final class SampleBench implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--batch", defaultValue = "8", description = "the larger decode batch (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--prompt", defaultValue = "128", description = "prompt tokens (default ${DEFAULT-VALUE})")
    int prompt;

    @Option(names = "--decode-tokens", defaultValue = "32", description = "tokens decoded per sample (default ${DEFAULT-VALUE})")
    int decodeTokens;

    @Option(names = "--compare", description = "a second preset decoded in alternation with the first, same JVM: "
            + "reports the median per-round ratio of decode throughput per active parameter, each round's throughput "
            + "taken from its median decode step")
    String compare;

    @Option(names = "--rounds", defaultValue = "5", description = "alternating rounds with --compare (default ${DEFAULT-VALUE})")
    int rounds;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() throws Exception {
        if (compare != null) {
            return compareDecode();
        }
        int t = output.threads();
        double bandwidth = MachineLimits.readBandwidthGBps(t);
        CpuKernels kernels = new CpuKernels(t);
        int context = prompt + decodeTokens + 8;
        try (ModelOptions.Opened opened = model.open(kernels, context)) {
            ModelConfig c = opened.transformer().config();
            double prefillTps = prefill(opened, c, kernels, context);
            double decode1 = decode(opened, c, 1, context);
            double decodeB = decode(opened, c, batch, context);
            long weightBytes = ModelPresets.weightBytesPerToken(c, opened.weightBytes());
            double bound = bandwidth * 1e9 / weightBytes;
            ObjectNode out = output.newResult();
            out.put("benchmark", "sample");
            out.put("model", opened.name());
            out.put("threads", t);
            out.put("prompt_tokens", prompt);
            out.put("prefill_tokens_per_second", prefillTps);
            ObjectNode d = out.putObject("decode_tokens_per_second");
            d.put("1", decode1);
            d.put(Integer.toString(batch), decodeB);
            out.put("batch_speedup", decodeB / decode1);
            out.put("weight_bytes_per_token", weightBytes);
            out.put("read_bandwidth_gb_per_second", bandwidth);
            out.put("decode_bandwidth_bound_tokens_per_second", bound);
            out.put("decode_batch1_of_bandwidth_bound", decode1 / bound);
            output.print(out);
        }
        return 0;
    }

    /**
     * Decodes the two models in alternation, round after round, so that a busy or throttled machine slows both
     * alike; each round's ratio compares neighbouring measurements and the median of the ratios is reported.
     */
    private int compareDecode() throws Exception {
        int t = output.threads();
        CpuKernels kernels = new CpuKernels(t);
        int context = prompt + decodeTokens + 8;
        try (ModelOptions.Opened a = model.open(kernels, context);
             ModelOptions.Opened b = ModelOptions.openPreset(compare, model.dtype, kernels, context)) {
            ModelConfig ca = a.transformer().config(), cb = b.transformer().config();
            double activeA = ModelPresets.matmulParameters(ca), activeB = ModelPresets.matmulParameters(cb);
            int[] batches = batch == 1 ? new int[]{1} : new int[]{1, batch};
            ObjectNode out = output.newResult();
            out.put("benchmark", "sample-compare");
            out.put("model", a.name());
            out.put("compare", b.name());
            out.put("threads", t);
            out.put("active_parameters", activeA);
            out.put("compare_active_parameters", activeB);
            for (int n : batches) {
                decodeStepSeconds(a, ca, n, context);
                decodeStepSeconds(b, cb, n, context);
                double[] ratios = new double[rounds], tpsA = new double[rounds], tpsB = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    tpsA[r] = n / TrainBench.median(decodeStepSeconds(a, ca, n, context));
                    tpsB[r] = n / TrainBench.median(decodeStepSeconds(b, cb, n, context));
                    ratios[r] = tpsA[r] * activeA / (tpsB[r] * activeB);
                    if (!output.json()) {
                        System.err.printf("batch %d round %d: %.0f vs %.0f tokens/s, ratio per active parameter %.3f%n",
                                n, r, tpsA[r], tpsB[r], ratios[r]);
                    }
                }
                ObjectNode d = out.putObject("batch_" + n);
                d.put("decode_tokens_per_second_median", TrainBench.median(tpsA));
                d.put("compare_decode_tokens_per_second_median", TrainBench.median(tpsB));
                d.put("ratio_per_active_parameter_median", TrainBench.median(ratios));
                var all = d.putArray("ratios");
                for (double v : ratios) {
                    all.add(v);
                }
            }
            output.print(out);
        }
        return 0;
    }

    private int[] randomPrompt(ModelConfig c, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] p = new int[prompt];
        for (int i = 0; i < p.length; i++) {
            p[i] = r.nextInt(c.vocabSize());
        }
        return p;
    }

    private double prefill(ModelOptions.Opened opened, ModelConfig c, CpuKernels kernels, int context) {
        KvCache cache = new KvCache(c, 1, context, kernels);
        double best = 0;
        for (int rep = 0; rep < 4; rep++) {
            int slot = cache.acquire();
            PackedBatch b = PackedBatch.of(List.of(new PackedBatch.Sequence(randomPrompt(c, rep), null, 0, slot)));
            long start = System.nanoTime();
            opened.transformer().forward(b, cache);
            double s = (System.nanoTime() - start) / 1e9;
            cache.release(slot);
            if (rep > 0) {
                best = Math.max(best, prompt / s);
            }
        }
        return best;
    }

    /**
     * The duration of each decode step of {@code n} concurrent samples, excluding the step that prefills. Comparisons
     * use the median step: a burst of load from elsewhere on a shared machine then moves it only when it covers
     * most of the round.
     */
    private double[] decodeStepSeconds(ModelOptions.Opened opened, ModelConfig c, int n, int context) {
        Sampler sampler = new Sampler(opened.transformer(), n, context, null);
        for (int i = 0; i < n; i++) {
            sampler.submit(new SampleRequest(null, randomPrompt(c, 100 + i), SamplingParams.greedy(decodeTokens)));
        }
        sampler.step();
        double[] seconds = new double[decodeTokens];
        int steps = 0;
        boolean more = true;
        while (more && steps < seconds.length) {
            long start = System.nanoTime();
            more = sampler.step();
            seconds[steps++] = (System.nanoTime() - start) / 1e9;
        }
        return Arrays.copyOf(seconds, steps);
    }

    /** Decode tokens/s with {@code n} concurrent samples, excluding the step that prefills. */
    private double decode(ModelOptions.Opened opened, ModelConfig c, int n, int context) {
        double best = 0;
        for (int rep = 0; rep < 2; rep++) {
            double seconds = Arrays.stream(decodeStepSeconds(opened, c, n, context)).sum();
            best = Math.max(best, (double) n * (decodeTokens - 1) / seconds);
        }
        return best;
    }
}
