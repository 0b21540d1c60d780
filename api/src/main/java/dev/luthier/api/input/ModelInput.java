package dev.luthier.api.input;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;
import java.util.List;
import java.util.OptionalInt;

/** {@code {"chunks": [chunk, ...]}}: the tokens (and images, audio) a model reads. */
public record ModelInput(@JsonProperty(value = "chunks", required = true) List<ModelInputChunk> chunks) {

  public ModelInput {
    Fields.require(chunks, "chunks");
    for (int i = 0; i < chunks.size(); i++) Fields.require(chunks.get(i), "chunks[" + i + "]");
    chunks = List.copyOf(chunks);
  }

  /** A text-only input of these token ids. */
  public static ModelInput ofTokens(int... tokens) {
    return new ModelInput(List.of(new EncodedTextChunk(tokens)));
  }

  /**
   * The number of positions, when every chunk states its length (an image without {@code
   * expected_tokens} does not).
   */
  public OptionalInt length() {
    int n = 0;
    for (ModelInputChunk c : chunks) {
      OptionalInt l = c.length();
      if (l.isEmpty()) return OptionalInt.empty();
      n += l.getAsInt();
    }
    return OptionalInt.of(n);
  }

  /** True when every chunk is {@code encoded_text}. */
  public boolean textOnly() {
    for (ModelInputChunk c : chunks) if (!(c instanceof EncodedTextChunk)) return false;
    return true;
  }

  /** All token ids of a text-only input, concatenated; IllegalStateException for other chunks. */
  public int[] tokens() {
    int n = 0;
    for (ModelInputChunk c : chunks) {
      if (!(c instanceof EncodedTextChunk t)) {
        throw new IllegalStateException("input has a " + c.chunkType() + " chunk, not only tokens");
      }
      n += t.tokens().length;
    }
    int[] out = new int[n];
    int at = 0;
    for (ModelInputChunk c : chunks) {
      int[] t = ((EncodedTextChunk) c).tokens();
      System.arraycopy(t, 0, out, at, t.length);
      at += t.length;
    }
    return out;
  }
}
