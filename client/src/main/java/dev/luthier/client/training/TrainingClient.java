package dev.luthier.client.training;

import dev.luthier.api.future.UntypedApiFuture;
import dev.luthier.api.input.Datum;
import dev.luthier.api.proto.WireProto;
import dev.luthier.api.tensor.TensorData;
import dev.luthier.api.training.AdamParams;
import dev.luthier.api.training.ForwardBackwardInput;
import dev.luthier.api.training.ForwardBackwardOutput;
import dev.luthier.api.training.ForwardBackwardRequest;
import dev.luthier.api.training.ForwardRequest;
import dev.luthier.api.training.GetInfoRequest;
import dev.luthier.api.training.GetInfoResponse;
import dev.luthier.api.training.LoadWeightsRequest;
import dev.luthier.api.training.LoadWeightsResponse;
import dev.luthier.api.training.MetricKeys;
import dev.luthier.api.training.OptimStepRequest;
import dev.luthier.api.training.OptimStepResponse;
import dev.luthier.api.training.SaveWeightsForSamplerRequest;
import dev.luthier.api.training.SaveWeightsForSamplerResponse;
import dev.luthier.api.training.SaveWeightsRequest;
import dev.luthier.api.training.SaveWeightsResponse;
import dev.luthier.client.sampling.SamplingClient;
import dev.luthier.client.session.ClientRuntime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A LoRA training run on the server (Python's {@code TrainingClient}). Every method returns a
 * {@link CompletableFuture} at once. Calls are pipelined: each takes the next seq_id(s) when it is made and is posted
 * only after the previous call's requests were accepted, so the server runs them in call order, and
 * {@code forwardBackward(...)} then {@code optimStep(...)} can be issued back to back without waiting.
 *
 * <p>A large {@code forwardBackward}/{@code forward} is split into chunks of at most 1024 datums and ~5 MB (or the
 * server's limits from {@code client/config}); each chunk is its own request and seq_id, and the result joins them:
 * outputs in datum order, metrics reduced by key suffix ({@link MetricReduction}).
 */
public final class TrainingClient {
    private static final Set<String> CUSTOM_LOSS_INPUTS = Set.of("target_tokens", "weights");
    private final ClientRuntime rt;
    private final String modelId;
    private final Sequencer sequencer = new Sequencer(1);

    /** A client for an existing model id (created by {@code ServiceClient}). */
    public TrainingClient(ClientRuntime runtime, String modelId) {
        this.rt = runtime;
        this.modelId = modelId;
    }

    public String modelId() {
        return modelId;
    }

    // ------------------------------------------------------------------ forward / backward

    /** Forward and backward with a built-in loss: {@code cross_entropy}, {@code importance_sampling}, {@code ppo}, {@code cispo}, {@code dro}. */
    public CompletableFuture<ForwardBackwardOutput> forwardBackward(List<Datum> data, String lossFn) {
        return forwardBackward(data, lossFn, null);
    }

    /** Forward and backward; {@code lossFnConfig} such as {@code {"clip_low_threshold": 0.8}} (may be null). */
    public CompletableFuture<ForwardBackwardOutput> forwardBackward(List<Datum> data, String lossFn, Map<String, Double> lossFnConfig) {
        return chunked(data, lossFn, lossFnConfig, false);
    }

    /** The loss, outputs and metrics of {@code forwardBackward} without touching the gradients. */
    public CompletableFuture<ForwardBackwardOutput> forward(List<Datum> data, String lossFn) {
        return forward(data, lossFn, null);
    }

    public CompletableFuture<ForwardBackwardOutput> forward(List<Datum> data, String lossFn, Map<String, Double> lossFnConfig) {
        return chunked(data, lossFn, lossFnConfig, true);
    }

    private CompletableFuture<ForwardBackwardOutput> chunked(List<Datum> data, String lossFn, Map<String, Double> config,
                                                             boolean forwardOnly) {
        requireData(data);
        if (lossFn == null || lossFn.isBlank()) {
            throw new IllegalArgumentException("lossFn is required");
        }
        List<int[]> ranges = Chunker.split(data, rt.maxChunkLen(), rt.maxChunkBytes());
        Sequencer.Turn turn = sequencer.reserve(ranges.size());
        CompletableFuture<List<Posted>> posted = new CompletableFuture<>();
        rt.executor().execute(() -> {
            try {
                turn.awaitPrevious();
                posted.complete(postChunks(turn, data, ranges, lossFn, config, forwardOnly));
            } catch (Throwable t) {
                posted.completeExceptionally(t);
            } finally {
                turn.finish();
            }
        });
        return posted.thenCompose(p -> collect(p, forwardOnly ? "Forward" : "ForwardBackward"));
    }

    /** A posted chunk: its request id, or why posting failed; and its datum count. */
    private record Posted(String requestId, RuntimeException error, int datums) {
    }

    /** Posts every chunk in order (a failed chunk does not stop the rest, so the server's seq_ids stay dense). */
    private List<Posted> postChunks(Sequencer.Turn turn, List<Datum> data, List<int[]> ranges, String lossFn,
                                    Map<String, Double> config, boolean forwardOnly) {
        List<Posted> out = new ArrayList<>(ranges.size());
        for (int i = 0; i < ranges.size(); i++) {
            int[] r = ranges.get(i);
            ForwardBackwardInput input = new ForwardBackwardInput(data.subList(r[0], r[1]), lossFn, config, forwardOnly);
            int seq = turn.firstSeqId() + i;
            try {
                out.add(new Posted(postForwardBackward(input, seq), null, r[1] - r[0]));
            } catch (RuntimeException e) {
                out.add(new Posted(null, e, r[1] - r[0]));
            }
        }
        return out;
    }

    private String postForwardBackward(ForwardBackwardInput input, int seq) {
        if (rt.options().protobuf()) {
            byte[] body = WireProto.encodeForwardBackwardRequest(new ForwardBackwardRequest(input, modelId, seq));
            return rt.send("POST", "forward_backward", body, WireProto.CONTENT_TYPE).json(UntypedApiFuture.class).requestId();
        }
        Object body = input.forwardOnly() ? new ForwardRequest(new ForwardBackwardInput(input.data(), input.lossFn(),
                input.lossFnConfig()), modelId, seq) : new ForwardBackwardRequest(input, modelId, seq);
        return rt.postJson(input.forwardOnly() ? "forward" : "forward_backward", body).json(UntypedApiFuture.class).requestId();
    }

    private CompletableFuture<ForwardBackwardOutput> collect(List<Posted> posted, String requestType) {
        List<CompletableFuture<ForwardBackwardOutput>> parts = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        for (Posted p : posted) {
            parts.add(p.error() != null ? CompletableFuture.failedFuture(p.error())
                    : rt.poller().poll(p.requestId(), requestType, ForwardBackwardOutput.class));
            sizes.add(p.datums());
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                .thenApply(v -> ChunkedOutputs.combine(parts.stream().map(CompletableFuture::join).toList(), sizes));
    }

    private static void requireData(List<Datum> data) {
        if (data == null || data.isEmpty()) {
            throw new IllegalArgumentException("data is empty: a forward/backward needs at least one datum");
        }
    }

    // ------------------------------------------------------------------ custom loss

    /**
     * Trains on a loss computed in Java from the model's log-probabilities, in two passes (as the Python SDK): a
     * forward with {@code cross_entropy} and zero weights returns each target token's log-probability; {@code loss}
     * turns them into a value and dLoss/dlogprob; a real {@code forward_backward} with {@code cross_entropy} and
     * {@code weights = -gradient} then accumulates exactly that gradient (cross-entropy's gradient with respect to a
     * log-probability is minus its weight). Datums may carry only {@code target_tokens} and optional {@code weights}.
     * Both passes take their seq_ids now, so calls made after this one run after both.
     *
     * @return the second pass's output with {@code loss:sum} set to the custom loss and the custom metrics merged in
     */
    public CompletableFuture<ForwardBackwardOutput> forwardBackwardCustom(List<Datum> data, CustomLoss loss) {
        requireData(data);
        List<Datum> forwardData = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            Datum d = data.get(i);
            if (!CUSTOM_LOSS_INPUTS.containsAll(d.lossFnInputs().keySet()) || !d.lossFnInputs().containsKey("target_tokens")) {
                throw new IllegalArgumentException("data[" + i + "]: a custom loss takes only target_tokens and optional weights,"
                        + " got " + d.lossFnInputs().keySet());
            }
            TensorData targets = d.lossFnInputs().get("target_tokens");
            forwardData.add(new Datum(d.modelInput(), Map.of("target_tokens", targets,
                    "weights", TensorData.ofFloats(new float[targets.size()], targets.shape()))));
        }
        List<int[]> ranges = Chunker.split(forwardData, rt.maxChunkLen(), rt.maxChunkBytes());
        Sequencer.Turn forwardTurn = sequencer.reserve(ranges.size());
        Sequencer.Turn backwardTurn = sequencer.reserve(ranges.size());

        CompletableFuture<List<Posted>> forwardPosted = new CompletableFuture<>();
        rt.executor().execute(() -> {
            try {
                forwardTurn.awaitPrevious();
                forwardPosted.complete(postChunks(forwardTurn, forwardData, ranges, "cross_entropy", null, true));
            } catch (Throwable t) {
                forwardPosted.completeExceptionally(t);
            } finally {
                forwardTurn.finish();
            }
        });
        CompletableFuture<ForwardBackwardOutput> forward = forwardPosted.thenCompose(p -> collect(p, "Forward"));

        CompletableFuture<CustomLoss.Result> lossResult = new CompletableFuture<>();
        CompletableFuture<List<Posted>> backwardPosted = new CompletableFuture<>();
        rt.executor().execute(() -> {
            try {
                backwardTurn.awaitPrevious();
                List<Datum> backwardData;
                try {
                    ForwardBackwardOutput out = forward.join();
                    List<float[]> logprobs = new ArrayList<>(data.size());
                    for (Map<String, TensorData> o : out.lossFnOutputs()) {
                        logprobs.add(o.get("logprobs").toFloats());
                    }
                    CustomLoss.Result r = loss.compute(data, logprobs);
                    backwardData = backwardData(forwardData, logprobs, r);
                    lossResult.complete(r);
                } catch (Throwable t) {
                    // keep the server's seq_ids dense: harmless forward-only passes in the reserved slots
                    postChunks(backwardTurn, forwardData, ranges, "cross_entropy", null, true);
                    throw t;
                }
                backwardPosted.complete(postChunks(backwardTurn, backwardData, ranges, "cross_entropy", null, false));
            } catch (Throwable t) {
                backwardPosted.completeExceptionally(unwrap(t));
            } finally {
                backwardTurn.finish();
            }
        });
        return backwardPosted.thenCompose(p -> collect(p, "ForwardBackward")).thenApply(out -> {
            CustomLoss.Result r = lossResult.join();
            Map<String, Double> metrics = new LinkedHashMap<>(out.metrics());
            metrics.put("loss:sum", r.loss());
            metrics.putAll(r.metrics());
            return new ForwardBackwardOutput(out.lossFnOutputType(), out.lossFnOutputs(), metrics);
        });
    }

    private static List<Datum> backwardData(List<Datum> forwardData, List<float[]> logprobs, CustomLoss.Result r) {
        if (r.gradients().size() != forwardData.size()) {
            throw new IllegalArgumentException("the custom loss returned " + r.gradients().size() + " gradients for "
                    + forwardData.size() + " datums");
        }
        for (String key : r.metrics().keySet()) {
            String problem = MetricKeys.colonProblem(key);
            if (problem != null) {
                throw new IllegalArgumentException("custom loss metric: " + problem);
            }
        }
        List<Datum> out = new ArrayList<>(forwardData.size());
        for (int i = 0; i < forwardData.size(); i++) {
            float[] g = r.gradients().get(i);
            if (g == null || g.length != logprobs.get(i).length) {
                throw new IllegalArgumentException("the custom loss's gradient " + i + " has "
                        + (g == null ? "no" : Integer.toString(g.length)) + " entries for " + logprobs.get(i).length + " logprobs");
            }
            float[] w = new float[g.length];
            for (int j = 0; j < g.length; j++) {
                if (!Float.isFinite(g[j])) {
                    throw new IllegalArgumentException("the custom loss's gradient " + i + " has a non-finite value at " + j);
                }
                w[j] = -g[j];
            }
            Datum d = forwardData.get(i);
            TensorData targets = d.lossFnInputs().get("target_tokens");
            out.add(new Datum(d.modelInput(), Map.of("target_tokens", targets, "weights", TensorData.ofFloats(w, targets.shape()))));
        }
        return out;
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    // ------------------------------------------------------------------ optimizer and checkpoints

    /** One AdamW step over the gradients accumulated since the last step. */
    public CompletableFuture<OptimStepResponse> optimStep(AdamParams params) {
        return sequenced("optim_step", "OptimStep", OptimStepResponse.class, seq -> new OptimStepRequest(params, modelId, seq));
    }

    /** Saves weights and optimizer state as {@code tinker://<model>/weights/<name>}. */
    public CompletableFuture<SaveWeightsResponse> saveState(String name) {
        return saveState(name, null);
    }

    /** As {@link #saveState(String)}, expiring after {@code ttlSeconds} (null: never). */
    public CompletableFuture<SaveWeightsResponse> saveState(String name, Long ttlSeconds) {
        return sequenced("save_weights", "SaveWeights", SaveWeightsResponse.class,
                seq -> new SaveWeightsRequest(modelId, name, seq, ttlSeconds, false));
    }

    /** Loads the weights of a {@code weights/} checkpoint; the optimizer state starts fresh. */
    public CompletableFuture<LoadWeightsResponse> loadState(String tinkerPath) {
        return load(tinkerPath, false);
    }

    /** Loads weights and the Adam state of a {@code weights/} checkpoint, to resume training exactly. */
    public CompletableFuture<LoadWeightsResponse> loadStateWithOptimizer(String tinkerPath) {
        return load(tinkerPath, true);
    }

    private CompletableFuture<LoadWeightsResponse> load(String tinkerPath, boolean optimizer) {
        return sequenced("load_weights", "LoadWeights", LoadWeightsResponse.class,
                seq -> LoadWeightsRequest.intoModel(modelId, seq, tinkerPath, optimizer, null));
    }

    /** Saves the adapter for sampling as {@code tinker://<model>/sampler_weights/<name>} (a PEFT adapter). */
    public CompletableFuture<SaveWeightsForSamplerResponse> saveWeightsForSampler(String name) {
        return saveWeightsForSampler(name, null);
    }

    public CompletableFuture<SaveWeightsForSamplerResponse> saveWeightsForSampler(String name, Long ttlSeconds) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name is required (use saveWeightsAndGetSamplingClient for an unnamed save)");
        }
        return sequenced("save_weights_for_sampler", "SaveWeightsForSampler", SaveWeightsForSamplerResponse.class,
                seq -> new SaveWeightsForSamplerRequest(modelId, name, seq, null, ttlSeconds));
    }

    /** Saves the current weights without a name (ephemeral) and returns a sampling client for them. */
    public CompletableFuture<SamplingClient> saveWeightsAndGetSamplingClient() {
        int samplerSeq = rt.session().nextSamplerSeqId();
        return sequenced("save_weights_for_sampler", "SaveWeightsForSampler", SaveWeightsForSamplerResponse.class,
                seq -> new SaveWeightsForSamplerRequest(modelId, null, seq, samplerSeq, null))
                .thenApply(r -> {
                    if (r.samplingSessionId() == null) {
                        throw new dev.luthier.client.errors.LuthierException("the server's unnamed save_weights_for_sampler"
                                + " returned no sampling_session_id");
                    }
                    return new SamplingClient(rt, r.samplingSessionId());
                });
    }

    /** The model's base model, LoRA rank and tokenizer id (synchronous, not sequenced). */
    public GetInfoResponse getInfo() {
        return rt.postJson("get_info", new GetInfoRequest(modelId)).json(GetInfoResponse.class);
    }

    /** One sequenced request: takes a seq_id now, posts in turn, then polls. */
    private <T> CompletableFuture<T> sequenced(String path, String requestType, Class<T> type,
                                               java.util.function.IntFunction<Object> body) {
        Sequencer.Turn turn = sequencer.reserve(1);
        CompletableFuture<String> posted = new CompletableFuture<>();
        rt.executor().execute(() -> {
            try {
                turn.awaitPrevious();
                posted.complete(rt.postJson(path, body.apply(turn.firstSeqId())).json(UntypedApiFuture.class).requestId());
            } catch (Throwable t) {
                posted.completeExceptionally(t);
            } finally {
                turn.finish();
            }
        });
        return posted.thenCompose(id -> rt.poller().poll(id, requestType, type));
    }

    /** The seq_id the next call will take (for tests). */
    int nextSeqId() {
        return sequencer.nextSeqId();
    }

    @Override
    public String toString() {
        return "TrainingClient[" + modelId + ", next seq_id " + sequencer.nextSeqId() + "]";
    }
}
