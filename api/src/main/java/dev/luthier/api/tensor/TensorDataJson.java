package dev.luthier.api.tensor;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.luthier.api.WireFormatException;
import java.io.IOException;
import java.util.Arrays;

/** The JSON form of {@link TensorData}, read and written by hand for speed and precise errors. */
public final class TensorDataJson {
  private TensorDataJson() {}

  /** Writes {@code {"data": [...], "dtype": ..., "shape": [...]}}; a non-finite float becomes null. */
  public static final class Serializer extends StdSerializer<TensorData> {
    public Serializer() {
      super(TensorData.class);
    }

    @Override
    public void serialize(TensorData t, JsonGenerator g, SerializerProvider provider) throws IOException {
      g.writeStartObject();
      g.writeFieldName("data");
      g.writeStartArray();
      if (t.floats() != null) {
        for (float f : t.floats()) {
          if (Float.isFinite(f)) g.writeNumber(f);
          else g.writeNull();
        }
      } else {
        for (long l : t.longs()) g.writeNumber(l);
      }
      g.writeEndArray();
      g.writeStringField("dtype", t.dtype().wireName());
      g.writeFieldName("shape");
      g.writeStartArray();
      for (long d : t.shape()) g.writeNumber(d);
      g.writeEndArray();
      g.writeEndObject();
    }
  }

  /**
   * Reads a TensorData body. Keys may come in any order; unknown keys are skipped. {@code shape}
   * missing or null means 1-D; sparse CSR bodies are densified. int64 data must be integers;
   * float32 data must be finite numbers within float range.
   */
  public static final class Deserializer extends StdDeserializer<TensorData> {
    public Deserializer() {
      super(TensorData.class);
    }

    @Override
    public TensorData deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        throw new WireFormatException("", "expected a TensorData object {\"data\", \"dtype\", \"shape\"}, got " + describe(p.currentToken()));
      }
      Numbers data = null;
      String dtypeName = null;
      long[] shape = null;
      long[] crow = null;
      long[] col = null;
      for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        switch (name) {
          case "data" -> data = Numbers.read(p, "data");
          case "dtype" -> {
            if (v != JsonToken.VALUE_STRING) throw new WireFormatException("dtype", "expected a string, got " + describe(v));
            dtypeName = p.getText();
          }
          case "shape" -> shape = v == JsonToken.VALUE_NULL ? null : Numbers.read(p, "shape").longs("shape");
          case "sparse_crow_indices" -> crow = v == JsonToken.VALUE_NULL ? null : Numbers.read(p, name).longs(name);
          case "sparse_col_indices" -> col = v == JsonToken.VALUE_NULL ? null : Numbers.read(p, name).longs(name);
          default -> p.skipChildren();
        }
      }
      if (data == null) throw new WireFormatException("data", "required field is missing or null");
      if (dtypeName == null) throw new WireFormatException("dtype", "required field is missing or null");
      DType dtype = DType.fromWire(dtypeName, "dtype");
      if (crow != null) {
        return dtype == DType.FLOAT32
            ? SparseCsr.densifyFloats(shape, data.floats("data"), crow, col)
            : SparseCsr.densifyLongs(shape, data.longs("data"), crow, col);
      }
      if (col != null) throw new WireFormatException("sparse_crow_indices", "required with sparse_col_indices");
      if (shape == null) shape = new long[] {data.size};
      return dtype == DType.FLOAT32
          ? new TensorData(dtype, shape, data.floats("data"), null)
          : new TensorData(dtype, shape, null, data.longs("data"));
    }
  }

  static String describe(JsonToken t) {
    if (t == null) return "end of input";
    return switch (t) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT -> "an integer";
      case VALUE_NUMBER_FLOAT -> "a float";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.toString();
    };
  }

  /** A JSON number array read once, convertible to either dtype afterwards. */
  static final class Numbers {
    long[] asLong = new long[16];
    double[] asDouble = new double[16];
    int size;
    int firstNonInteger = -1; // a float token, or an integer beyond int64
    int firstBigInteger = -1;

    static Numbers read(JsonParser p, String field) throws IOException {
      if (p.currentToken() != JsonToken.START_ARRAY) {
        throw new WireFormatException(field, "expected an array of numbers, got " + describe(p.currentToken()));
      }
      Numbers n = new Numbers();
      for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
        int i = n.size;
        if (i == n.asLong.length) {
          n.asLong = Arrays.copyOf(n.asLong, i * 2);
          n.asDouble = Arrays.copyOf(n.asDouble, i * 2);
        }
        if (t == JsonToken.VALUE_NUMBER_INT) {
          if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            if (n.firstBigInteger < 0) n.firstBigInteger = i;
            n.asDouble[i] = p.getDoubleValue();
          } else {
            long l = p.getLongValue();
            n.asLong[i] = l;
            n.asDouble[i] = l;
          }
        } else if (t == JsonToken.VALUE_NUMBER_FLOAT) {
          if (n.firstNonInteger < 0) n.firstNonInteger = i;
          n.asDouble[i] = p.getDoubleValue();
        } else {
          throw new WireFormatException(field + "[" + i + "]", "expected a number, got " + describe(t));
        }
        n.size++;
      }
      return n;
    }

    long[] longs(String field) {
      if (firstNonInteger >= 0) {
        throw new WireFormatException(field + "[" + firstNonInteger + "]", "expected an integer, got " + asDouble[firstNonInteger]);
      }
      if (firstBigInteger >= 0) {
        throw new WireFormatException(field + "[" + firstBigInteger + "]", "integer out of int64 range");
      }
      return Arrays.copyOf(asLong, size);
    }

    float[] floats(String field) {
      float[] out = new float[size];
      for (int i = 0; i < size; i++) {
        double d = asDouble[i];
        float f = (float) d;
        if (!Float.isFinite(f)) {
          throw new WireFormatException(field + "[" + i + "]",
              Double.isFinite(d) ? "value " + d + " is out of float32 range" : "value must be finite, got " + d);
        }
        out[i] = f;
      }
      return out;
    }
  }
}
