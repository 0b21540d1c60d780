package dev.luthier.api.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.luthier.api.WireFormatException;
import java.io.IOException;
import java.util.Arrays;

/**
 * The rule that JSON never carries NaN or Infinity, in both directions. Reading: every float and
 * double (and every element of a float[]) must be a finite number token, else a {@link
 * WireFormatException}; the parser is set to accept the {@code NaN} token only so that this check
 * can name the field. Writing: a non-finite value is written as {@code null} (what orjson does; the
 * only field where null is meaningful is {@code prompt_logprobs}).
 */
final class FiniteNumbers {
  private FiniteNumbers() {}

  static SimpleModule module() {
    SimpleModule m = new SimpleModule("luthier-finite-numbers");
    m.addDeserializer(Double.class, new DoubleDeser(Double.class, false));
    m.addDeserializer(double.class, new DoubleDeser(double.class, true));
    m.addDeserializer(Float.class, new FloatDeser(Float.class, false));
    m.addDeserializer(float.class, new FloatDeser(float.class, true));
    m.addDeserializer(float[].class, new FloatArrayDeser(false));
    m.addSerializer(Double.class, new DoubleSer<>(Double.class));
    m.addSerializer(double.class, new DoubleSer<>(double.class));
    m.addSerializer(Float.class, new FloatSer<>(Float.class));
    m.addSerializer(float.class, new FloatSer<>(float.class));
    m.addSerializer(float[].class, new FloatArraySer());
    m.addSerializer(double[].class, new DoubleArraySer());
    return m;
  }

  static double readFinite(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
      throw new WireFormatException("", "expected a number, got " + describe(t));
    }
    double d = p.getDoubleValue();
    if (!Double.isFinite(d)) throw new WireFormatException("", "must be a finite number, got " + p.getText());
    return d;
  }

  static float toFiniteFloat(double d) {
    float f = (float) d;
    if (!Float.isFinite(f)) throw new WireFormatException("", "value " + d + " is out of float32 range");
    return f;
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

  static final class DoubleDeser extends StdDeserializer<Double> {
    private final boolean primitive;

    DoubleDeser(Class<?> type, boolean primitive) {
      super(type);
      this.primitive = primitive;
    }

    @Override
    public Double deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      return readFinite(p);
    }

    @Override
    public Double getNullValue(DeserializationContext ctxt) {
      if (primitive) throw new WireFormatException("", "must be a number, got null");
      return null;
    }
  }

  static final class FloatDeser extends StdDeserializer<Float> {
    private final boolean primitive;

    FloatDeser(Class<?> type, boolean primitive) {
      super(type);
      this.primitive = primitive;
    }

    @Override
    public Float deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      return toFiniteFloat(readFinite(p));
    }

    @Override
    public Float getNullValue(DeserializationContext ctxt) {
      if (primitive) throw new WireFormatException("", "must be a number, got null");
      return null;
    }
  }

  /** float[] of finite numbers; with {@code nullAsNaN}, a null element reads as NaN. */
  static class FloatArrayDeser extends StdDeserializer<float[]> {
    private final boolean nullAsNaN;

    FloatArrayDeser(boolean nullAsNaN) {
      super(float[].class);
      this.nullAsNaN = nullAsNaN;
    }

    @Override
    public float[] deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() != JsonToken.START_ARRAY) {
        throw new WireFormatException("", "expected an array of numbers, got " + describe(p.currentToken()));
      }
      float[] out = new float[16];
      int n = 0;
      for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
        if (n == out.length) out = Arrays.copyOf(out, n * 2);
        try {
          out[n] = t == JsonToken.VALUE_NULL && nullAsNaN ? Float.NaN : toFiniteFloat(readFinite(p));
        } catch (WireFormatException e) {
          throw new WireFormatException("[" + n + "]", e.reason());
        }
        n++;
      }
      return Arrays.copyOf(out, n);
    }
  }

  static final class DoubleSer<T> extends StdSerializer<T> {
    DoubleSer(Class<T> type) {
      super(type);
    }

    @Override
    public void serialize(T value, JsonGenerator g, SerializerProvider provider) throws IOException {
      double d = ((Number) value).doubleValue();
      if (Double.isFinite(d)) g.writeNumber(d);
      else g.writeNull();
    }
  }

  static final class FloatSer<T> extends StdSerializer<T> {
    FloatSer(Class<T> type) {
      super(type);
    }

    @Override
    public void serialize(T value, JsonGenerator g, SerializerProvider provider) throws IOException {
      float f = ((Number) value).floatValue();
      if (Float.isFinite(f)) g.writeNumber(f);
      else g.writeNull();
    }
  }

  static final class FloatArraySer extends StdSerializer<float[]> {
    FloatArraySer() {
      super(float[].class);
    }

    @Override
    public void serialize(float[] value, JsonGenerator g, SerializerProvider provider) throws IOException {
      g.writeStartArray(value, value.length);
      for (float f : value) {
        if (Float.isFinite(f)) g.writeNumber(f);
        else g.writeNull();
      }
      g.writeEndArray();
    }
  }

  static final class DoubleArraySer extends StdSerializer<double[]> {
    DoubleArraySer() {
      super(double[].class);
    }

    @Override
    public void serialize(double[] value, JsonGenerator g, SerializerProvider provider) throws IOException {
      g.writeStartArray(value, value.length);
      for (double d : value) {
        if (Double.isFinite(d)) g.writeNumber(d);
        else g.writeNull();
      }
      g.writeEndArray();
    }
  }
}
