package dev.luthier.api.training;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code {"arch": str?, "model_name": str?, "tokenizer_id": str?}}. The SDK's {@code
 * get_tokenizer()} needs {@code model_name}; it cuts {@code tokenizer_id} at the first ':'.
 */
public record ModelData(
    @JsonProperty("arch") String arch,
    @JsonProperty("model_name") String modelName,
    @JsonProperty("tokenizer_id") String tokenizerId) {}
