package dev.luthier.api.input;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;
import java.util.OptionalInt;

/**
 * {@code {"type": "image_asset_pointer", "location": str, "format": "png"|"jpeg", "expected_tokens":
 * int?}}: an image by path or URL. JSON only; it has no protobuf form.
 */
public record ImageAssetPointerChunk(
    @JsonProperty(value = "location", required = true) String location,
    @JsonProperty(value = "format", required = true) String format,
    @JsonProperty("expected_tokens") Integer expectedTokens)
    implements ModelInputChunk {
  public static final String TYPE = "image_asset_pointer";

  public ImageAssetPointerChunk {
    Fields.require(location, "location");
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
}
