package dev.luthier.server.service;

import dev.luthier.api.input.Datum;
import dev.luthier.api.sampling.SampleResponse;
import dev.luthier.api.sampling.SampledSequence;
import dev.luthier.api.sampling.Stop;
import dev.luthier.api.sampling.StopReason;
import dev.luthier.api.sampling.TokenLogprob;
import dev.luthier.api.tensor.TensorData;
import dev.luthier.api.training.ForwardBackwardInput;
import dev.luthier.api.training.ForwardBackwardOutput;
import dev.luthier.api.training.OptimStepResponse;
import dev.luthier.engine.loss.LossInputs;
import dev.luthier.engine.optim.AdamParams;
import dev.luthier.engine.sampler.SampleResult;
import dev.luthier.engine.sampler.SamplingParams;
import dev.luthier.server.training.ForwardBackwardResult;
import dev.luthier.server.training.OptimStepResult;
import dev.luthier.server.training.TrainingDatum;
import dev.luthier.server.training.TrainingOp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** Translations between wire records (api module) and the engine's and workers' types. */
public final class WireConversions {
    private static final Set<String> KNOWN_INPUTS = Set.of("target_tokens", "weights", "advantages", "logprobs",
            "clip_low_threshold", "clip_high_threshold");

    private WireConversions() {
    }

    /** A forward_backward input as a training op; problems a user must fix throw IllegalArgumentException. */
    public static TrainingOp.ForwardBackward forwardBackward(ForwardBackwardInput input) {
        List<String> problems = input.problems();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        List<TrainingDatum> data = new ArrayList<>();
        for (int i = 0; i < input.data().size(); i++) {
            try {
                data.add(datum(input.data().get(i)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("data[" + i + "]: " + e.getMessage(), e);
            }
        }
        return new TrainingOp.ForwardBackward(data, input.lossFn(),
                input.lossFnConfig() == null ? java.util.Map.of() : input.lossFnConfig(), input.forwardOnly());
    }

    static TrainingDatum datum(Datum d) {
        if (!d.modelInput().textOnly()) {
            throw new IllegalArgumentException("model_input has image or audio chunks; the served models read text tokens only");
        }
        int[] tokens = d.modelInput().tokens();
        for (String key : d.lossFnInputs().keySet()) {
            if (!KNOWN_INPUTS.contains(key)) {
                throw new IllegalArgumentException("unknown loss_fn_inputs key \"" + key + "\" (known: " + String.join(", ", KNOWN_INPUTS) + ")");
            }
        }
        TensorData targets = d.input("target_tokens")
                .orElseThrow(() -> new IllegalArgumentException("loss_fn_inputs.target_tokens is missing"));
        long[] shape = targets.shape();
        if (shape.length < 1 || shape.length > 2) {
            throw new IllegalArgumentException("target_tokens must have shape [N] or [N, K], got " + Arrays.toString(shape));
        }
        if (shape[0] != tokens.length) {
            throw new IllegalArgumentException("target_tokens has " + shape[0] + " positions but model_input has " + tokens.length);
        }
        int k = shape.length == 2 ? Math.toIntExact(shape[1]) : 1;
        int[] targetShape = shape.length == 2 ? new int[]{tokens.length, k} : new int[]{tokens.length};
        float[] weights = floats(d, "weights", tokens.length * k);
        LossInputs inputs = new LossInputs(targets.toInts(), k, weights, floats(d, "logprobs", tokens.length),
                floats(d, "advantages", tokens.length), floats(d, "clip_low_threshold", tokens.length),
                floats(d, "clip_high_threshold", tokens.length));
        return new TrainingDatum(tokens, inputs, targetShape);
    }

    private static float[] floats(Datum d, String key, int expected) {
        TensorData t = d.lossFnInputs().get(key);
        if (t == null) {
            return null;
        }
        float[] v = t.toFloats();
        if (v.length != expected) {
            throw new IllegalArgumentException("loss_fn_inputs." + key + " has " + v.length + " values, expected " + expected);
        }
        return v;
    }

    public static ForwardBackwardOutput output(ForwardBackwardResult r) {
        List<TensorData> logprobs = new ArrayList<>();
        for (ForwardBackwardResult.DatumOutput o : r.outputs()) {
            long[] shape = new long[o.shape().length];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = o.shape()[i];
            }
            logprobs.add(TensorData.ofFloats(o.logprobs(), shape));
        }
        return ForwardBackwardOutput.ofLogprobs(logprobs, r.metrics());
    }

    public static OptimStepResponse output(OptimStepResult r) {
        return new OptimStepResponse(r.metrics());
    }

    public static AdamParams adam(dev.luthier.api.training.AdamParams p) {
        return new AdamParams(p.learningRate(), p.beta1(), p.beta2(), p.eps(), p.weightDecay(), p.gradClipNorm());
    }

    /** Sampling parameters for the engine; string stops need the model's tokenizer (checked by the sampler). */
    public static SamplingParams sampling(dev.luthier.api.sampling.SamplingParams p, int defaultMaxTokens) {
        List<Integer> stopTokens = List.of();
        List<String> stopStrings = List.of();
        if (p.stop() instanceof Stop.Tokens t) {
            stopTokens = Arrays.stream(t.values()).boxed().toList();
        } else if (p.stop() instanceof Stop.Strings s) {
            stopStrings = s.values();
        }
        int maxTokens = p.maxTokens() == null ? defaultMaxTokens : p.maxTokens();
        return new SamplingParams(maxTokens, p.foldedSeed(), stopTokens, stopStrings, p.temperature(), p.topK(), p.topP());
    }

    public static SampleResponse output(SampleResult r) {
        List<SampledSequence> seqs = new ArrayList<>();
        for (var s : r.sequences()) {
            seqs.add(new SampledSequence(s.stopReason() == dev.luthier.engine.sampler.SampledSequence.StopReason.STOP
                    ? StopReason.STOP : StopReason.LENGTH, s.tokens(), s.logprobs()));
        }
        List<List<TokenLogprob>> topk = null;
        if (r.topkPromptLogprobs() != null) {
            topk = new ArrayList<>();
            for (SampleResult.TokenLogprob[] row : r.topkPromptLogprobs()) {
                if (row == null) {
                    topk.add(null);
                } else {
                    List<TokenLogprob> entries = new ArrayList<>();
                    for (SampleResult.TokenLogprob t : row) {
                        entries.add(new TokenLogprob(t.token(), t.logprob()));
                    }
                    topk.add(entries);
                }
            }
        }
        return new SampleResponse(seqs, r.promptLogprobs(), topk, 0);
    }
}
