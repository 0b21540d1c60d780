package dev.luthier.api.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;
import java.time.Instant;

/**
 * The 200 form of {@code GET …/checkpoints/{ckpt}/archive}: {@code {"url": str, "expires": ISO
 * datetime}} (the other form is a 302 with Location and Expires headers).
 */
public record ArchiveUrlResponse(
    @JsonProperty(value = "url", required = true) String url,
    @JsonProperty(value = "expires", required = true) Instant expires) {
  public ArchiveUrlResponse {
    Fields.require(url, "url");
    Fields.require(expires, "expires");
  }
}
