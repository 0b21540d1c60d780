package dev.luthier.engine.sampler;

import dev.luthier.engine.Engine;
import dev.luthier.engine.ExampleResult;
import dev.luthier.engine.TrainingExample;
import dev.luthier.engine.kernels.Kernels;
import dev.luthier.engine.kernels.cpu.CpuKernels;
import dev.luthier.engine.lora.LoraAdapter;
import dev.luthier.engine.lora.LoraConfig;
import dev.luthier.engine.loss.CrossEntropyLoss;
import dev.luthier.engine.loss.LossInputs;
import dev.luthier.engine.model.AdapterSegment;
import dev.luthier.engine.model.ModelConfig;
import dev.luthier.engine.model.PackedBatch;
import dev.luthier.engine.model.RandomModel;
import dev.luthier.engine.model.TinyModels;
import dev.luthier.engine.model.Transformer;
import dev.luthier.engine.optim.ParameterSet;
import dev.luthier.engine.tensor.DType;
import dev.luthier.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The sampler on a tiny random Qwen3 with a LoRA adapter, against independent paths: a full forward recomputed on
 * the growing sequence for greedy decoding, the engine's forward pass for log-probabilities, and direct counts for
 * the token chooser's distribution.
 */
class SamplerTest {
    private static final int CONTEXT = 48;
    /** Tokens to letters, for stop strings. */
    private static final Function<int[], String> LETTERS = tokens -> {
        StringBuilder sb = new StringBuilder();
        for (int t : tokens) {
            sb.append((char) ('a' + t % 26));
        }
        return sb.toString();
    };

    private static Arena arena;
    private static Kernels k;
    private static ModelConfig config;
    private static Transformer model;
    private static Engine engine;
    private static LoraAdapter adapter;
    private static LoraAdapter other;

    @BeforeAll
    static void setUp() {
        arena = Arena.ofShared();
        k = new CpuKernels();
        config = TinyModels.qwen3();
        model = new Transformer(config, RandomModel.weights(config, k, 17, 0.3, DType.F32, arena), k, 64);
        engine = new Engine(model);
        adapter = engine.createAdapter("a", new LoraConfig(4, 32, 1, true, true, true));
        other = engine.createAdapter("b", new LoraConfig(2, 16, 2, true, true, false));
        randomizeB(adapter, new SplittableRandom(3));
        randomizeB(other, new SplittableRandom(4));
    }

    @AfterAll
    static void tearDown() {
        arena.close();
    }

    private static void randomizeB(LoraAdapter a, SplittableRandom r) {
        for (ParameterSet.Entry e : a.parameters()) {
            if (e.name().endsWith("lora_B.weight")) {
                float[] v = new float[(int) e.value().size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) ((2 * r.nextDouble() - 1) * 0.1);
                }
                k.copy(k.fromHost(v, e.value().rows(), e.value().cols()), e.value());
            }
        }
    }

    private static Sampler sampler(int slots) {
        return new Sampler(model, slots, CONTEXT, LETTERS);
    }

    private static SamplingParams params(int maxTokens, long seed, double temperature, int topK, double topP,
                                         List<Integer> stopTokens, List<String> stopStrings) {
        return new SamplingParams(maxTokens, seed, stopTokens, stopStrings, temperature, topK, topP);
    }

    private static SampleResult one(Sampler s, SampleRequest r) {
        return s.generate(List.of(r)).getFirst();
    }

    private static int[] prompt(long seed, int length) {
        SplittableRandom r = new SplittableRandom(seed);
        return IntStream.range(0, length).map(i -> r.nextInt(config.vocabSize())).toArray();
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Logits of the last position of {@code tokens}, by a full forward without a cache. */
    private static float[] lastLogits(LoraAdapter a, int[] tokens) {
        Tensor hidden = model.forward(PackedBatch.of(List.of(new PackedBatch.Sequence(tokens, a))), null);
        float[] all = k.toHost(model.head().logits(hidden, List.of(new AdapterSegment(0, tokens.length, a))));
        int v = config.vocabSize();
        return Arrays.copyOfRange(all, (tokens.length - 1) * v, tokens.length * v);
    }

    private static double[] logSoftmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        double lse = max + Math.log(sum);
        double[] out = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = logits[i] - lse;
        }
        return out;
    }

    /** Greedy decoding recomputed from scratch at every step; returns tokens, then their log-probabilities. */
    private static int[] greedyReference(LoraAdapter a, int[] prompt, int n, double[] logprobsOut) {
        int[] seq = prompt;
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            float[] logits = lastLogits(a, seq);
            int best = 0;
            for (int j = 1; j < logits.length; j++) {
                if (logits[j] > logits[best]) {
                    best = j;
                }
            }
            out[i] = best;
            logprobsOut[i] = logSoftmax(logits)[best];
            seq = concat(seq, new int[]{best});
        }
        return out;
    }

    /** The engine's forward-pass log-probabilities of {@code sample} following {@code prompt}. */
    private static float[] forwardLogprobs(LoraAdapter a, int[] prompt, int[] sample) {
        int[] all = concat(prompt, sample);
        int[] in = Arrays.copyOf(all, all.length - 1);
        int[] targets = Arrays.copyOfRange(all, 1, all.length);
        ExampleResult r = engine.forwardBackward(List.of(new TrainingExample(a, in, new CrossEntropyLoss(),
                LossInputs.crossEntropy(targets, null))), false).getFirst();
        return Arrays.copyOfRange(r.logprobs(), prompt.length - 1, all.length - 1);
    }

    private static void assertLogprobsMatchForward(LoraAdapter a, int[] prompt, SampledSequence s) {
        float[] expected = forwardLogprobs(a, prompt, s.tokens());
        assertThat(s.logprobs()).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) Math.abs(s.logprobs()[i] - expected[i]))
                    .as("logprob of sampled token %d (%d): %s vs forward %s", i, s.tokens()[i], s.logprobs()[i], expected[i])
                    .isLessThanOrEqualTo(1e-4);
        }
    }

    // ------------------------------------------------------------------------------------------ (a) isolation

    @Test
    void seededRequestIsTheSameAloneOrAmongOthers() {
        int[] p = prompt(1, 6);
        SampleRequest target = new SampleRequest(adapter, p, SamplingParams.of(12, 42, 1.0));
        SampledSequence alone = one(sampler(4), target).sequences().getFirst();

        List<SampleRequest> crowd = new ArrayList<>();
        crowd.add(new SampleRequest(null, prompt(2, 9), SamplingParams.of(5, 7, 1.0)));
        crowd.add(new SampleRequest(other, prompt(3, 3), SamplingParams.of(15, 8, 0.8)));
        crowd.add(target);
        crowd.add(new SampleRequest(adapter, prompt(4, 4), SamplingParams.of(7, 9, 1.3), 2, false, 0));
        crowd.add(new SampleRequest(null, prompt(5, 2), SamplingParams.greedy(20)));
        crowd.add(new SampleRequest(other, p, SamplingParams.of(12, 43, 1.0)));
        // Three slots: requests wait and join while others decode (continuous batching).
        for (int slots : new int[]{3, 8}) {
            List<SampleResult> results = sampler(slots).generate(crowd);
            SampledSequence together = results.get(2).sequences().getFirst();
            assertThat(together.tokens()).as("%d slots", slots).containsExactly(alone.tokens());
            for (int i = 0; i < alone.logprobs().length; i++) {
                assertThat((double) Math.abs(together.logprobs()[i] - alone.logprobs()[i])).isLessThanOrEqualTo(1e-5);
            }
            assertThat(together.stopReason()).isEqualTo(alone.stopReason());
            // The others were served correctly too.
            assertLogprobsMatchForward(other, crowd.get(1).prompt(), results.get(1).sequences().getFirst());
            assertLogprobsMatchForward(null, crowd.get(0).prompt(), results.get(0).sequences().getFirst());
        }
        // A different seed gives a different sample (so the comparison above is not vacuous).
        SampledSequence reseeded = one(sampler(4), new SampleRequest(adapter, p, SamplingParams.of(12, 41, 1.0))).sequences().getFirst();
        assertThat(reseeded.tokens()).isNotEqualTo(alone.tokens());
    }

    // ------------------------------------------------------------------------------------------ (b) greedy

    @Test
    void temperatureZeroIsGreedyOnAFullForward() {
        for (LoraAdapter a : Arrays.asList(adapter, null)) {
            int[] p = prompt(11, 5);
            double[] refLp = new double[10];
            int[] expected = greedyReference(a, p, 10, refLp);
            SampledSequence s = one(sampler(2), new SampleRequest(a, p, SamplingParams.greedy(10))).sequences().getFirst();
            assertThat(s.tokens()).containsExactly(expected);
            assertThat(s.stopReason()).isEqualTo(SampledSequence.StopReason.LENGTH);
            for (int i = 0; i < 10; i++) {
                assertThat(Math.abs(s.logprobs()[i] - refLp[i])).isLessThanOrEqualTo(1e-4);
            }
            // A very low temperature samples the argmax too, whatever the seed.
            for (long seed : new long[]{1, 2, 3}) {
                SampledSequence cold = one(sampler(2), new SampleRequest(a, p, SamplingParams.of(10, seed, 1e-4))).sequences().getFirst();
                assertThat(cold.tokens()).as("T = 1e-4, seed %d", seed).containsExactly(expected);
            }
        }
        // The adapter changes the greedy continuation (the reference is not the base model in disguise).
        int[] p = prompt(11, 5);
        assertThat(greedyReference(adapter, p, 10, new double[10])).isNotEqualTo(greedyReference(null, p, 10, new double[10]));
    }

    // ------------------------------------------------------------------------------------------ (c) sampled logprobs

    @Test
    void sampledLogprobsAreTheForwardPassLogSoftmax() {
        int[] p = prompt(21, 7);
        for (SamplingParams sp : List.of(SamplingParams.of(16, 5, 1.0), SamplingParams.of(16, 6, 0.6),
                params(16, 7, 1.5, 5, 0.9, null, null))) {
            for (LoraAdapter a : Arrays.asList(adapter, null)) {
                SampledSequence s = one(sampler(2), new SampleRequest(a, p, sp)).sequences().getFirst();
                assertThat(s.tokens()).hasSize(16);
                // Untempered, unrestricted log-probabilities, as a training forward pass gives them.
                assertLogprobsMatchForward(a, p, s);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ (d) prompt logprobs

    @Test
    void promptLogprobsAndTopkAreTheForwardPassOnes() {
        int[] p = prompt(31, 9);
        int topk = 4;
        for (LoraAdapter a : Arrays.asList(adapter, null)) {
            SampleResult r = one(sampler(2), new SampleRequest(a, p, SamplingParams.of(3, 1, 1.0), 1, true, topk));
            assertThat(r.promptLogprobs()).hasSize(p.length);
            assertThat(r.promptLogprobs()[0]).isNaN();
            float[] expected = forwardLogprobs(a, new int[]{p[0]}, Arrays.copyOfRange(p, 1, p.length));
            for (int i = 1; i < p.length; i++) {
                assertThat((double) Math.abs(r.promptLogprobs()[i] - expected[i - 1])).as("prompt logprob %d", i)
                        .isLessThanOrEqualTo(1e-4);
            }
            assertThat(r.topkPromptLogprobs()).hasNumberOfRows(p.length);
            assertThat(r.topkPromptLogprobs()[0]).isNull();
            for (int i = 1; i < p.length; i++) {
                double[] ls = logSoftmax(lastLogits(a, Arrays.copyOf(p, i)));
                Integer[] order = IntStream.range(0, ls.length).boxed().toArray(Integer[]::new);
                Arrays.sort(order, Comparator.comparingDouble((Integer t) -> -ls[t]));
                SampleResult.TokenLogprob[] got = r.topkPromptLogprobs()[i];
                assertThat(got).hasSize(topk);
                for (int j = 0; j < topk; j++) {
                    assertThat(got[j].token()).as("position %d, rank %d", i, j).isEqualTo(order[j]);
                    assertThat(Math.abs(got[j].logprob() - ls[order[j]])).isLessThanOrEqualTo(1e-4);
                    if (j > 0) {
                        assertThat(got[j].logprob()).isLessThanOrEqualTo(got[j - 1].logprob());
                    }
                }
            }
        }
        // Without the flags nothing is returned.
        SampleResult plain = one(sampler(2), new SampleRequest(adapter, p, SamplingParams.of(3, 1, 1.0)));
        assertThat(plain.promptLogprobs()).isNull();
        assertThat(plain.topkPromptLogprobs()).isNull();
    }

    @Test
    void maxTokensZeroStillScoresThePrompt() {
        int[] p = prompt(32, 6);
        SampleResult r = one(sampler(2), new SampleRequest(adapter, p, SamplingParams.greedy(0), 1, true, 0));
        assertThat(r.sequences().getFirst().tokens()).isEmpty();
        assertThat(r.sequences().getFirst().stopReason()).isEqualTo(SampledSequence.StopReason.LENGTH);
        float[] expected = forwardLogprobs(adapter, new int[]{p[0]}, Arrays.copyOfRange(p, 1, p.length));
        for (int i = 1; i < p.length; i++) {
            assertThat((double) Math.abs(r.promptLogprobs()[i] - expected[i - 1])).isLessThanOrEqualTo(1e-4);
        }
    }

    // ------------------------------------------------------------------------------------------ (e) num_samples

    @Test
    void numSamplesGivesIndependentSamplesFromOnePrefill() {
        int[] p = prompt(41, 5);
        Sampler s = sampler(6);
        SampleResult four = one(s, new SampleRequest(adapter, p, SamplingParams.of(10, 77, 1.0), 4, false, 0));
        assertThat(four.sequences()).hasSize(4);
        for (int i = 0; i < 4; i++) {
            SampledSequence seq = four.sequences().get(i);
            assertThat(seq.tokens()).hasSize(10);
            // Every sample, including those on copied KV-cache slots, scores as a forward pass on prompt + sample.
            assertLogprobsMatchForward(adapter, p, seq);
            for (int j = 0; j < i; j++) {
                assertThat(seq.tokens()).as("samples %d and %d", i, j).isNotEqualTo(four.sequences().get(j).tokens());
            }
        }
        // The sampler seeds sample i from (seed, i): sample 0 is what a single-sample request with that seed gives,
        // and the whole group is reproducible.
        SampledSequence single = one(s, new SampleRequest(adapter, p, SamplingParams.of(10, 77, 1.0))).sequences().getFirst();
        assertThat(four.sequences().getFirst().tokens()).containsExactly(single.tokens());
        SampleResult again = one(sampler(4), new SampleRequest(adapter, p, SamplingParams.of(10, 77, 1.0), 4, false, 0));
        for (int i = 0; i < 4; i++) {
            assertThat(again.sequences().get(i).tokens()).containsExactly(four.sequences().get(i).tokens());
        }
        // Greedy samples all agree.
        SampleResult greedy = one(s, new SampleRequest(adapter, p, SamplingParams.greedy(10), 3, false, 0));
        double[] lp = new double[10];
        int[] ref = greedyReference(adapter, p, 10, lp);
        for (SampledSequence seq : greedy.sequences()) {
            assertThat(seq.tokens()).containsExactly(ref);
        }
    }

    @Test
    void moreSamplesThanSlotsRunInPartsWithTheSameStreams() {
        int[] p = prompt(43, 5);
        SampleRequest seven = new SampleRequest(adapter, p, SamplingParams.of(6, 91, 1.0), 7, true, 2);
        SampleResult whole = one(sampler(8), seven);
        // 3 slots: parts of 3, 3 and 1 samples, each prefilling again, joined in sample order
        SampleResult parts = one(sampler(3), seven);
        assertThat(parts.sequences()).hasSize(7);
        for (int i = 0; i < 7; i++) {
            assertThat(parts.sequences().get(i).tokens()).as("sample %d", i).containsExactly(whole.sequences().get(i).tokens());
            assertLogprobsMatchForward(adapter, p, parts.sequences().get(i));
        }
        assertThat(parts.promptLogprobs()).containsExactly(whole.promptLogprobs());
        assertThat(parts.topkPromptLogprobs().length).isEqualTo(p.length);
        for (int i = 1; i < p.length; i++) {
            assertThat(parts.topkPromptLogprobs()[i]).containsExactly(whole.topkPromptLogprobs()[i]);
        }
    }

    // ------------------------------------------------------------------------------------------ (f) stops

    @Test
    void stopTokenEndsTheSampleAndIsIncluded() {
        int[] p = prompt(51, 4);
        SampledSequence full = one(sampler(2), new SampleRequest(adapter, p, SamplingParams.of(20, 3, 1.0))).sequences().getFirst();
        assertThat(full.stopReason()).isEqualTo(SampledSequence.StopReason.LENGTH);
        assertThat(full.tokens()).hasSize(20);
        int stop = full.tokens()[5];
        int firstAt = -1;
        for (int i = 0; i < full.tokens().length && firstAt < 0; i++) {
            if (full.tokens()[i] == stop) {
                firstAt = i;
            }
        }
        // Another stop id that never occurs changes nothing.
        int absent = IntStream.range(0, config.vocabSize()).filter(t -> Arrays.stream(full.tokens()).noneMatch(x -> x == t))
                .findFirst().orElseThrow();
        SampledSequence stopped = one(sampler(2), new SampleRequest(adapter, p,
                params(20, 3, 1.0, -1, 1, List.of(absent, stop), null))).sequences().getFirst();
        assertThat(stopped.stopReason()).isEqualTo(SampledSequence.StopReason.STOP);
        assertThat(stopped.tokens()).containsExactly(Arrays.copyOf(full.tokens(), firstAt + 1));
        assertThat(stopped.tokens()[stopped.tokens().length - 1]).isEqualTo(stop);
        assertThat(stopped.logprobs()).hasSize(firstAt + 1);

        SampledSequence limited = one(sampler(2), new SampleRequest(adapter, p,
                params(7, 3, 1.0, -1, 1, List.of(absent), null))).sequences().getFirst();
        assertThat(limited.stopReason()).isEqualTo(SampledSequence.StopReason.LENGTH);
        assertThat(limited.tokens()).containsExactly(Arrays.copyOf(full.tokens(), 7));
    }

    @Test
    void stopStringEndsTheSampleOnceTheTextContainsIt() {
        int[] p = prompt(61, 4);
        SampledSequence full = one(sampler(2), new SampleRequest(adapter, p, SamplingParams.of(20, 9, 1.0))).sequences().getFirst();
        String text = LETTERS.apply(full.tokens());
        String stop = text.substring(6, 8);
        // Expected: the shortest prefix whose text contains the stop string.
        int end = 1;
        while (!LETTERS.apply(Arrays.copyOf(full.tokens(), end)).contains(stop)) {
            end++;
        }
        SampledSequence stopped = one(sampler(2), new SampleRequest(adapter, p,
                params(20, 9, 1.0, -1, 1, null, List.of("zzzzzz", stop)))).sequences().getFirst();
        assertThat(stopped.stopReason()).isEqualTo(SampledSequence.StopReason.STOP);
        assertThat(stopped.tokens()).containsExactly(Arrays.copyOf(full.tokens(), end));
        assertThat(LETTERS.apply(stopped.tokens())).endsWith(stop);
        // A stop string that never appears runs to max_tokens.
        SampledSequence never = one(sampler(2), new SampleRequest(adapter, p,
                params(20, 9, 1.0, -1, 1, null, List.of("{")))).sequences().getFirst();
        assertThat(never.stopReason()).isEqualTo(SampledSequence.StopReason.LENGTH);
        assertThat(never.tokens()).containsExactly(full.tokens());
    }

    // ------------------------------------------------------------------------------------------ (g) top-k / top-p

    @Test
    void topKOneAndTinyTopPAreGreedy() {
        int[] p = prompt(71, 5);
        int[] greedy = greedyReference(adapter, p, 12, new double[12]);
        for (long seed : new long[]{1, 2, 3, 4}) {
            SampledSequence k1 = one(sampler(2), new SampleRequest(adapter, p, params(12, seed, 1.0, 1, 1, null, null)))
                    .sequences().getFirst();
            assertThat(k1.tokens()).as("top_k 1, seed %d", seed).containsExactly(greedy);
            SampledSequence p0 = one(sampler(2), new SampleRequest(adapter, p, params(12, seed, 2.0, -1, 1e-6, null, null)))
                    .sequences().getFirst();
            assertThat(p0.tokens()).as("top_p 1e-6, seed %d", seed).containsExactly(greedy);
        }
        // At temperature 1 without restrictions these seeds do not all reproduce the greedy sequence.
        boolean anyDiffers = false;
        for (long seed : new long[]{1, 2, 3, 4}) {
            int[] t = one(sampler(2), new SampleRequest(adapter, p, SamplingParams.of(12, seed, 1.0))).sequences().getFirst().tokens();
            anyDiffers |= !Arrays.equals(t, greedy);
        }
        assertThat(anyDiffers).isTrue();
    }

    // ------------------------------------------------------------------------------------------ (h) distribution

    private static final float[] LOGITS = {1.0f, 0.5f, -0.3f, 2.0f, 0f, -1.0f, 1.7f, -2.5f};
    private static final int DRAWS = 40_000;

    private static int[] counts(SamplingParams sp) {
        int[] counts = new int[LOGITS.length];
        for (int n = 0; n < DRAWS; n++) {
            TokenChooser.Choice c = TokenChooser.choose(LOGITS, sp, new SplittableRandom(1000L + n * 7919L));
            counts[c.token()]++;
        }
        return counts;
    }

    /** Softmax of {@code LOGITS / t} over {@code allowed} tokens (others 0). */
    private static double[] expectedDistribution(double t, boolean[] allowed) {
        double[] p = new double[LOGITS.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = allowed[i] ? Math.exp(LOGITS[i] / t) : 0;
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    private static void assertChiSquare(int[] counts, double[] p) {
        double chi = 0;
        int df = -1;
        for (int i = 0; i < p.length; i++) {
            if (p[i] == 0) {
                assertThat(counts[i]).as("token %d is excluded", i).isZero();
                continue;
            }
            double e = p[i] * DRAWS;
            chi += (counts[i] - e) * (counts[i] - e) / e;
            df++;
        }
        // p ≈ 1e-6 thresholds for df ≤ 7 are below 40; the seeds are fixed, so this is deterministic.
        assertThat(chi).as("chi-square %s with %d degrees of freedom, counts %s, expected %s", chi, df,
                Arrays.toString(counts), Arrays.toString(p)).isLessThan(40);
    }

    private static boolean[] all() {
        boolean[] b = new boolean[LOGITS.length];
        Arrays.fill(b, true);
        return b;
    }

    @Test
    void drawsFollowTheTemperedSoftmax() {
        assertChiSquare(counts(SamplingParams.of(1, 0, 1.0)), expectedDistribution(1.0, all()));
        assertChiSquare(counts(SamplingParams.of(1, 0, 0.5)), expectedDistribution(0.5, all()));
        assertChiSquare(counts(SamplingParams.of(1, 0, 2.0)), expectedDistribution(2.0, all()));
        // The check has power: temperature 1 draws are not a temperature 0.7 distribution.
        int[] c = counts(SamplingParams.of(1, 0, 1.0));
        double[] wrong = expectedDistribution(0.7, all());
        double chi = 0;
        for (int i = 0; i < c.length; i++) {
            chi += (c[i] - wrong[i] * DRAWS) * (c[i] - wrong[i] * DRAWS) / (wrong[i] * DRAWS);
        }
        assertThat(chi).isGreaterThan(100);
    }

    @Test
    void topKAndTopPRestrictTheDraws() {
        // Top 3 logits: 2.0 (3), 1.7 (6), 1.0 (0).
        boolean[] top3 = new boolean[LOGITS.length];
        top3[3] = top3[6] = top3[0] = true;
        assertChiSquare(counts(params(1, 0, 1.0, 3, 1, null, null)), expectedDistribution(1.0, top3));
        assertChiSquare(counts(params(1, 0, 0.8, 3, 1, null, null)), expectedDistribution(0.8, top3));
        // Top-p at T = 1: p(3) ≈ 0.381, p(6) ≈ 0.282 (cumulative 0.662), p(0) ≈ 0.140 (cumulative 0.802).
        double[] full = expectedDistribution(1.0, all());
        assertThat(full[3] + full[6]).isBetween(0.6, 0.7);
        assertThat(full[3] + full[6] + full[0]).isGreaterThan(0.7);
        assertChiSquare(counts(params(1, 0, 1.0, -1, 0.7, null, null)), expectedDistribution(1.0, top3));
        boolean[] top2 = new boolean[LOGITS.length];
        top2[3] = top2[6] = true;
        assertChiSquare(counts(params(1, 0, 1.0, -1, 0.6, null, null)), expectedDistribution(1.0, top2));
        // Top-p 0.3 keeps only the best token.
        assertThat(counts(params(1, 0, 1.0, -1, 0.3, null, null))[3]).isEqualTo(DRAWS);
        // k larger than the vocabulary means no limit.
        assertChiSquare(counts(params(1, 0, 1.0, 100, 1, null, null)), expectedDistribution(1.0, all()));
    }

    @Test
    void chosenLogprobIsUntemperedLogSoftmaxAndTopKIsOrdered() {
        double[] ls = logSoftmax(LOGITS);
        for (int n = 0; n < 50; n++) {
            TokenChooser.Choice c = TokenChooser.choose(LOGITS, params(1, 0, 0.3, 4, 0.95, null, null), new SplittableRandom(n));
            assertThat(Math.abs(c.logprob() - ls[c.token()])).isLessThanOrEqualTo(1e-6);
        }
        assertThat(TokenChooser.choose(LOGITS, SamplingParams.greedy(1), new SplittableRandom(0)).token()).isEqualTo(3);
        assertThat(TokenChooser.topK(LOGITS, 4)).containsExactly(3, 6, 0, 1);
        assertThat(TokenChooser.topK(LOGITS, 100)).containsExactly(3, 6, 0, 1, 4, 2, 5, 7);
        // Ties go to the lower index.
        assertThat(TokenChooser.topK(new float[]{1f, 2f, 2f, 0f, 2f}, 2)).containsExactly(1, 2);
        assertThat(TokenChooser.argmax(new float[]{1f, 2f, 2f})).isEqualTo(1);
    }

    // ------------------------------------------------------------------------------------------ (i) bad input

    @Test
    void aBadRequestInABatchLeavesNothingQueued() {
        Sampler s = sampler(3);
        int[] p = prompt(85, 5);
        SampleRequest good = new SampleRequest(adapter, p, SamplingParams.of(8, 5, 1.0));
        SampleRequest bad = new SampleRequest(adapter, new int[]{0, config.vocabSize()}, SamplingParams.greedy(2));
        assertThatThrownBy(() -> s.generate(List.of(good, bad)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the vocabulary");
        // The good request of the rejected batch is not left behind to run with the next one.
        assertThat(s.idle()).isTrue();
        assertThat(s.load()).isZero();
        int[] fresh = one(sampler(3), good).sequences().getFirst().tokens();
        assertThat(one(s, good).sequences().getFirst().tokens()).containsExactly(fresh);
    }


    @Test
    void badRequestsAreRejectedAndTheSamplerCarriesOn() {
        Sampler s = sampler(3);
        int[] p = prompt(81, 5);
        int v = config.vocabSize();
        assertThatThrownBy(() -> s.submit(new SampleRequest(adapter, new int[]{1, v, 2}, SamplingParams.greedy(4))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token id " + v).hasMessageContaining("outside the vocabulary");
        assertThatThrownBy(() -> s.submit(new SampleRequest(adapter, new int[]{1, -1}, SamplingParams.greedy(4))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> s.submit(new SampleRequest(adapter, p, params(4, 0, 1, -1, 1, List.of(v + 5), null))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stop token id " + (v + 5));
        assertThatThrownBy(() -> s.submit(new SampleRequest(null, prompt(82, CONTEXT + 1), SamplingParams.greedy(1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds the context of " + CONTEXT);
        assertThatThrownBy(() -> s.submit(new SampleRequest(null, prompt(83, CONTEXT - 4), SamplingParams.greedy(10))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max_tokens");
        Sampler noTokenizer = new Sampler(model, 2, CONTEXT, null);
        assertThatThrownBy(() -> noTokenizer.submit(new SampleRequest(adapter, p, params(4, 0, 1, -1, 1, null, List.of("ab")))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stop strings");
        assertThatThrownBy(() -> new SampleRequest(adapter, new int[0], SamplingParams.greedy(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prompt is empty");
        assertThatThrownBy(() -> params(4, 0, -1, -1, 1, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("temperature");
        assertThatThrownBy(() -> params(4, 0, 1, -1, 0, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("top_p");
        assertThatThrownBy(() -> params(-1, 0, 1, -1, 1, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max_tokens");
        assertThat(s.idle()).isTrue();
        assertThat(noTokenizer.idle()).isTrue();

        // Both samplers still serve, and give what a fresh sampler gives.
        SampleRequest good = new SampleRequest(adapter, p, SamplingParams.of(8, 5, 1.0));
        int[] fresh = one(sampler(3), good).sequences().getFirst().tokens();
        assertThat(one(s, good).sequences().getFirst().tokens()).containsExactly(fresh);
        assertThat(one(noTokenizer, good).sequences().getFirst().tokens()).containsExactly(fresh);
        // The longest request that fits is accepted.
        SampledSequence fits = one(s, new SampleRequest(null, prompt(84, CONTEXT - 3), SamplingParams.greedy(3))).sequences().getFirst();
        assertThat(fits.tokens()).hasSize(3);
    }
}
