package dev.luthier.api.input;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;
import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * {@code {"type": "image", "data": "<base64>", "format": "png"|"jpeg", "expected_tokens": int?}}.
 * {@code expected_tokens} is advisory; the server computes the real count.
 */
public record ImageChunk(
    @JsonProperty(value = "data", required = true) byte[] data,
    @JsonProperty(value = "format", required = true) String format,
    @JsonProperty("expected_tokens") Integer expectedTokens)
    implements ModelInputChunk {
  public static final String TYPE = "image";

  public ImageChunk {
    Fields.require(data, "data");
    Fields.require(format, "format");
  }

  @Override
  public String chunkType() {
    return TYPE;
  }

  @Override
  public OptionalInt length() {
    return expectedTokens == null ? OptionalInt.empty() : OptionalInt.of(expectedTokens);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImageChunk c && Arrays.equals(data, c.data) && format.equals(c.format)
        && Objects.equals(expectedTokens, c.expectedTokens);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(data), format, expectedTokens);
  }

  @Override
  public String toString() {
    return "ImageChunk[" + data.length + " bytes, " + format + ", expected_tokens=" + expectedTokens + "]";
  }
}
