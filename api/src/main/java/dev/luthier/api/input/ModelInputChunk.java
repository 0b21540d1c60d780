package dev.luthier.api.input;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.OptionalInt;

/**
 * One chunk of a {@link ModelInput}, discriminated in JSON by {@code "type"}: {@code encoded_text},
 * {@code image}, {@code image_asset_pointer} (JSON only) or {@code dmel} (audio, SDK ≥0.23).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = EncodedTextChunk.class, name = EncodedTextChunk.TYPE),
  @JsonSubTypes.Type(value = ImageChunk.class, name = ImageChunk.TYPE),
  @JsonSubTypes.Type(value = ImageAssetPointerChunk.class, name = ImageAssetPointerChunk.TYPE),
  @JsonSubTypes.Type(value = DmelChunk.class, name = DmelChunk.TYPE)
})
public sealed interface ModelInputChunk permits EncodedTextChunk, ImageChunk, ImageAssetPointerChunk, DmelChunk {

  /** The wire name of this chunk's type. */
  String chunkType();

  /**
   * The number of model positions this chunk occupies, when the chunk says: the token count of
   * text, {@code expected_tokens} of an image (advisory; the server computes the real count), dim
   * 0 of a dmel tensor.
   */
  OptionalInt length();
}
