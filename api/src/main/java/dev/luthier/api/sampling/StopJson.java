package dev.luthier.api.sampling;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.luthier.api.WireFormatException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** JSON form of {@link Stop}. */
final class StopJson {
  private StopJson() {}

  static final class Serializer extends StdSerializer<Stop> {
    Serializer() {
      super(Stop.class);
    }

    @Override
    public void serialize(Stop stop, JsonGenerator g, SerializerProvider provider) throws IOException {
      g.writeStartArray();
      switch (stop) {
        case Stop.Strings s -> {
          for (String v : s.values()) g.writeString(v);
        }
        case Stop.Tokens t -> {
          for (int v : t.values()) g.writeNumber(v);
        }
      }
      g.writeEndArray();
    }
  }

  static final class Deserializer extends StdDeserializer<Stop> {
    Deserializer() {
      super(Stop.class);
    }

    @Override
    public Stop deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonToken t = p.currentToken();
      if (t == JsonToken.VALUE_STRING) return new Stop.Strings(List.of(p.getText()));
      if (t != JsonToken.START_ARRAY) {
        throw new WireFormatException("", "expected a string, a list of strings or a list of token ids");
      }
      List<String> strings = new ArrayList<>();
      int[] tokens = new int[8];
      int n = 0;
      for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
        if (e == JsonToken.VALUE_STRING && n == strings.size()) {
          strings.add(p.getText());
        } else if (e == JsonToken.VALUE_NUMBER_INT && strings.isEmpty()) {
          if (p.getNumberType() != JsonParser.NumberType.INT) {
            throw new WireFormatException("[" + n + "]", "token id out of int32 range");
          }
          if (n == tokens.length) tokens = Arrays.copyOf(tokens, n * 2);
          tokens[n] = p.getIntValue();
        } else {
          throw new WireFormatException("[" + n + "]",
              "expected all strings or all token ids, got " + (e == JsonToken.VALUE_NULL ? "null" : e.asString() == null ? e.toString() : p.getText()));
        }
        n++;
      }
      if (n == 0 || !strings.isEmpty()) return new Stop.Strings(strings);
      return new Stop.Tokens(Arrays.copyOf(tokens, n));
    }
  }
}
