package dev.luthier.api.sampling;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** One top-k prompt logprob cell, written as the JSON pair {@code [token_id, logprob]}. */
@JsonFormat(shape = JsonFormat.Shape.ARRAY)
@JsonPropertyOrder({"token", "logprob"})
public record TokenLogprob(@JsonProperty(value = "token", required = true) int token,
                           @JsonProperty(value = "logprob", required = true) float logprob) {}
