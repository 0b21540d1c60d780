package dev.luthier.server.storage.runs;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A training run (a model): its id is {@code "<session>:train:<modelSeqId>"}.
 *
 * @param apiKeyId      the owner: the API key of the session that created it, null without authentication
 * @param userMetadata  JSON object from create_model, or null
 * @param stateMessage  why the run failed or was unloaded, or null
 * @param lastRequestAt the last time a request for this run arrived ({@code last_request_time} on the wire)
 */
public record TrainingRun(String modelId, String sessionId, long modelSeqId, String apiKeyId, String baseModel,
                          LoraSettings lora, Map<String, Object> userMetadata, RunState state, String stateMessage,
                          Instant createdAt, Instant lastRequestAt) {
    public TrainingRun {
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(baseModel, "baseModel");
        Objects.requireNonNull(lora, "lora");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(lastRequestAt, "lastRequestAt");
    }

    /** A new, active run created at {@code at}. */
    public static TrainingRun created(String modelId, String sessionId, long modelSeqId, String apiKeyId,
                                      String baseModel, LoraSettings lora, Map<String, Object> userMetadata, Instant at) {
        return new TrainingRun(modelId, sessionId, modelSeqId, apiKeyId, baseModel, lora, userMetadata, RunState.ACTIVE,
                null, at, at);
    }
}
