package dev.luthier.client;

import dev.luthier.api.rest.WeightsInfoResponse;
import dev.luthier.api.sampling.CreateSamplingSessionRequest;
import dev.luthier.api.sampling.CreateSamplingSessionResponse;
import dev.luthier.api.session.ClientConfigResponse;
import dev.luthier.api.session.ServerCapabilitiesResponse;
import dev.luthier.api.training.CreateModelRequest;
import dev.luthier.api.training.CreateModelResponse;
import dev.luthier.api.training.LoraConfig;
import dev.luthier.client.errors.LuthierException;
import dev.luthier.client.rest.RestClient;
import dev.luthier.client.sampling.SamplingClient;
import dev.luthier.client.session.ClientRuntime;
import dev.luthier.client.training.TrainingClient;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The entry point of the SDK (Python's {@code ServiceClient}): connects to a Luthier (or Tinker-compatible) server
 * and makes training, sampling and REST clients. Construction calls {@code client/config}; the session is created on
 * the first training or sampling client and kept alive by a heartbeat until {@link #close()}.
 *
 * <pre>{@code
 * try (ServiceClient service = new ServiceClient("http://127.0.0.1:8000", "tml-...")) {
 *     TrainingClient training = service.createLoraTrainingClient("Qwen/Qwen3-0.6B", 32);
 *     ...
 * }
 * }</pre>
 */
public final class ServiceClient implements AutoCloseable {
    private final ClientRuntime rt;

    public ServiceClient(ClientOptions options) {
        this.rt = new ClientRuntime(options);
    }

    public ServiceClient(String baseUrl, String apiKey) {
        this(ClientOptions.of(baseUrl, apiKey));
    }

    /** A client configured by {@code LUTHIER_BASE_URL} and {@code LUTHIER_API_KEY} (or their {@code TINKER_} forms). */
    public ServiceClient() {
        this(ClientOptions.fromEnvironment());
    }

    /** The server's reply to {@code client/config}. */
    public ClientConfigResponse serverConfig() {
        return rt.config();
    }

    /** The base models the server serves. */
    public ServerCapabilitiesResponse getServerCapabilities() {
        return rt.send("GET", "get_server_capabilities", null, null).json(ServerCapabilitiesResponse.class);
    }

    /** The session id (creating the session if there is none yet). */
    public String sessionId() {
        return rt.session().id();
    }

    /** A new LoRA training run on {@code baseModel} with rank {@code rank}, training every module. */
    public TrainingClient createLoraTrainingClient(String baseModel, int rank) {
        return createLoraTrainingClient(baseModel, rank, null, true, true, true, null);
    }

    /** Blocking form of {@link #createLoraTrainingClientAsync}; failures are thrown unwrapped. */
    public TrainingClient createLoraTrainingClient(String baseModel, int rank, Long seed, boolean trainAttn, boolean trainMlp,
                                                   boolean trainUnembed, Map<String, Object> userMetadata) {
        return join(createLoraTrainingClientAsync(baseModel, rank, seed, trainAttn, trainMlp, trainUnembed, userMetadata));
    }

    /**
     * Creates a LoRA training run: {@code create_model} with the next {@code model_seq_id} of the session, completing
     * when the server has built the adapter.
     *
     * @param seed the adapter's initialisation seed, or null for a server-chosen one
     */
    public CompletableFuture<TrainingClient> createLoraTrainingClientAsync(String baseModel, int rank, Long seed, boolean trainAttn,
                                                                           boolean trainMlp, boolean trainUnembed,
                                                                           Map<String, Object> userMetadata) {
        if (!trainAttn && !trainMlp && !trainUnembed) {
            throw new IllegalArgumentException("at least one of trainAttn, trainMlp, trainUnembed must be true");
        }
        if (rank < 1) {
            throw new IllegalArgumentException("rank must be positive, got " + rank);
        }
        int modelSeq = rt.session().nextModelSeqId();
        CreateModelRequest req = new CreateModelRequest(rt.session().id(), modelSeq, baseModel, userMetadata,
                new LoraConfig(rank, seed, trainUnembed, trainMlp, trainAttn));
        return rt.submit("create_model", req, "CreateModel", CreateModelResponse.class)
                .thenApply(r -> new TrainingClient(rt, r.modelId()));
    }

    /** A training run that starts from a {@code weights/} checkpoint: weights_info, then create_model, then load_weights. */
    public TrainingClient createTrainingClientFromState(String tinkerPath, boolean withOptimizer) {
        return join(createTrainingClientFromStateAsync(tinkerPath, withOptimizer));
    }

    public CompletableFuture<TrainingClient> createTrainingClientFromStateAsync(String tinkerPath, boolean withOptimizer) {
        return CompletableFuture.supplyAsync(() -> createRestClient().getWeightsInfo(tinkerPath), rt.executor())
                .thenCompose(info -> fromInfo(info))
                .thenCompose(client -> (withOptimizer ? client.loadStateWithOptimizer(tinkerPath) : client.loadState(tinkerPath))
                        .thenApply(loaded -> client));
    }

    private CompletableFuture<TrainingClient> fromInfo(WeightsInfoResponse info) {
        int rank = info.loraRank() == null ? LoraConfig.DEFAULT_RANK : info.loraRank();
        return createLoraTrainingClientAsync(info.baseModel(), rank, null, !Boolean.FALSE.equals(info.trainAttn()),
                !Boolean.FALSE.equals(info.trainMlp()), !Boolean.FALSE.equals(info.trainUnembed()), null);
    }

    /**
     * A sampling client for a saved adapter ({@code tinker://.../sampler_weights/...} or {@code .../weights/...}) or,
     * given anything else, for that base model.
     */
    public SamplingClient createSamplingClient(String modelPathOrBaseModel) {
        boolean path = modelPathOrBaseModel.startsWith("tinker://");
        return createSamplingClient(path ? modelPathOrBaseModel : null, path ? null : modelPathOrBaseModel);
    }

    /** A sampling client from {@code modelPath} (a tinker:// path) or {@code baseModel}; give one of them. */
    public SamplingClient createSamplingClient(String modelPath, String baseModel) {
        if ((modelPath == null) == (baseModel == null)) {
            throw new IllegalArgumentException("give exactly one of modelPath and baseModel");
        }
        if (modelPath != null && !modelPath.startsWith("tinker://")) {
            throw new IllegalArgumentException("modelPath must start with tinker://, got " + modelPath);
        }
        int seq = rt.session().nextSamplerSeqId();
        String id = rt.postJson("create_sampling_session",
                        new CreateSamplingSessionRequest(rt.session().id(), seq, baseModel, modelPath))
                .json(CreateSamplingSessionResponse.class).samplingSessionId();
        return new SamplingClient(rt, id);
    }

    /** Runs, checkpoints and sessions; creates no session. */
    public RestClient createRestClient() {
        return new RestClient(rt);
    }

    /** Stops the heartbeat and every pending poll (their futures complete exceptionally). */
    @Override
    public void close() {
        rt.close();
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new LuthierException(String.valueOf(e.getCause()), e.getCause());
        }
    }
}
