package dev.luthier.cookbook.checkpoints;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;

/**
 * One line of a run's {@code checkpoints.jsonl}: a checkpoint saved after {@code step} completed steps. A recipe
 * resumes from the last record by loading {@code statePath} (weights and optimizer state) and continuing at
 * {@code step}; {@code extra} holds what it needs to check that the resumed run is the same run (data size, batch
 * size, seed ...).
 *
 * @param statePath   {@code tinker://.../weights/<name>}, or null when only sampler weights were saved
 * @param samplerPath {@code tinker://.../sampler_weights/<name>}, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CheckpointRecord(
        @JsonProperty("name") String name,
        @JsonProperty("step") long step,
        @JsonProperty("epoch") long epoch,
        @JsonProperty("state_path") String statePath,
        @JsonProperty("sampler_path") String samplerPath,
        @JsonProperty("final") boolean isFinal,
        @JsonProperty("extra") Map<String, Object> extra) {

    public CheckpointRecord {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a checkpoint needs a name");
        }
        if (statePath == null && samplerPath == null) {
            throw new IllegalArgumentException("checkpoint " + name + " has neither a state nor a sampler path");
        }
        extra = extra == null ? Map.of() : Map.copyOf(extra);
    }
}
