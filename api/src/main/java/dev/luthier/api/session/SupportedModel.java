package dev.luthier.api.session;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One entry of {@code supported_models}: {@code {"model_name": str?, "max_context_length": int?}}. */
public record SupportedModel(
    @JsonProperty("model_name") String modelName,
    @JsonProperty("max_context_length") Integer maxContextLength) {}
