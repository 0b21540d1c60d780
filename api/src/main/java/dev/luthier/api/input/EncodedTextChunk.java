package dev.luthier.api.input;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;
import java.util.Arrays;
import java.util.OptionalInt;

/** {@code {"type": "encoded_text", "tokens": [int]}}: token ids (int32 on the proto wire). */
public record EncodedTextChunk(@JsonProperty(value = "tokens", required = true) int[] tokens) implements ModelInputChunk {
  public static final String TYPE = "encoded_text";

  public EncodedTextChunk {
    Fields.require(tokens, "tokens");
  }

  @Override
  public String chunkType() {
    return TYPE;
  }

  @Override
  public OptionalInt length() {
    return OptionalInt.of(tokens.length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EncodedTextChunk c && Arrays.equals(tokens, c.tokens);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(tokens);
  }

  @Override
  public String toString() {
    return "EncodedTextChunk" + Arrays.toString(tokens);
  }
}
