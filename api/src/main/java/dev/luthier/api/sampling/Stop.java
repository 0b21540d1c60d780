package dev.luthier.api.sampling;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.luthier.api.Fields;
import java.util.Arrays;
import java.util.List;

/**
 * {@code sampling_params.stop}: a string, a list of strings, or a list of token ids. A single
 * string reads as a one-element {@link Strings}; an empty list reads as an empty {@link Strings}
 * (no stop). A list mixing strings and numbers is a format error.
 */
@JsonSerialize(using = StopJson.Serializer.class)
@JsonDeserialize(using = StopJson.Deserializer.class)
public sealed interface Stop permits Stop.Strings, Stop.Tokens {

  /** Stop sequences as text. */
  @JsonSerialize(using = StopJson.Serializer.class)
  record Strings(List<String> values) implements Stop {
    public Strings {
      Fields.require(values, "stop");
      for (int i = 0; i < values.size(); i++) Fields.require(values.get(i), "stop[" + i + "]");
      values = List.copyOf(values);
    }
  }

  /** Stop token ids. */
  @JsonSerialize(using = StopJson.Serializer.class)
  record Tokens(int[] values) implements Stop {
    public Tokens {
      Fields.require(values, "stop");
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Tokens t && Arrays.equals(values, t.values);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
      return "Tokens" + Arrays.toString(values);
    }
  }

  static Stop strings(String... values) {
    return new Strings(List.of(values));
  }

  static Stop tokens(int... values) {
    return new Tokens(values);
  }

  /** True when there is nothing to stop on. */
  default boolean empty() {
    return this instanceof Strings s ? s.values().isEmpty() : ((Tokens) this).values().length == 0;
  }
}
