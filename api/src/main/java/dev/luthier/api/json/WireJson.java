package dev.luthier.api.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.luthier.api.WireFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JSON codec of the wire protocol: one configured {@link ObjectMapper} and helpers that turn
 * every parse failure into a {@link WireFormatException} whose message names the field.
 *
 * <p>Reading is strict about types (no string→number, float→int or number→string coercion, no
 * null for primitives, no duplicate keys, no trailing tokens, no NaN/Infinity) and lenient about
 * unknown keys (other SDK versions add fields). Writing leaves out null fields, writes dates as
 * ISO-8601 and never writes NaN or Infinity (they become null).
 */
public final class WireJson {
  private static final ObjectMapper MAPPER = build();
  private static final Pattern MISSING_CREATOR = Pattern.compile("Missing required creator property '([^']+)'");

  private WireJson() {}

  /** The shared mapper (thread-safe; do not reconfigure it). */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  private static ObjectMapper build() {
    JsonMapper mapper = JsonMapper.builder()
        .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS) // read NaN, then reject it with the field's name
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
        .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.ALWAYS))
        .addModule(new JavaTimeModule())
        .addModule(FiniteNumbers.module())
        .build();
    for (LogicalType textual : new LogicalType[] {LogicalType.Textual}) {
      mapper.coercionConfigFor(textual)
          .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    }
    for (LogicalType t : new LogicalType[] {LogicalType.Integer, LogicalType.Float, LogicalType.Boolean}) {
      mapper.coercionConfigFor(t)
          .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
    }
    mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
    return mapper;
  }

  /** Parses a body (UTF-8 JSON) into {@code type}. */
  public static <T> T read(byte[] body, Class<T> type) {
    if (body == null || body.length == 0) throw new WireFormatException("empty body, expected a JSON object");
    try {
      return checkNotNull(MAPPER.readValue(body, type));
    } catch (IOException e) {
      throw translate(e);
    } catch (WireFormatException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new WireFormatException("", String.valueOf(e.getMessage()), e);
    }
  }

  /** Parses a JSON string into {@code type}. */
  public static <T> T read(String body, Class<T> type) {
    return read(body == null ? null : body.getBytes(StandardCharsets.UTF_8), type);
  }

  /** Parses a body into a generic type such as {@code List<Checkpoint>}. */
  public static <T> T read(byte[] body, JavaType type) {
    if (body == null || body.length == 0) throw new WireFormatException("empty body, expected JSON");
    try {
      return checkNotNull(MAPPER.readValue(body, type));
    } catch (IOException e) {
      throw translate(e);
    }
  }

  /** Parses a body into a tree, for dispatching on a key before binding. */
  public static JsonNode readTree(byte[] body) {
    if (body == null || body.length == 0) throw new WireFormatException("empty body, expected JSON");
    try {
      JsonNode node = MAPPER.readTree(body);
      if (node == null || node.isMissingNode()) throw new WireFormatException("empty body, expected JSON");
      return node;
    } catch (IOException e) {
      throw translate(e);
    }
  }

  /** Binds a tree into {@code type}. */
  public static <T> T convert(JsonNode node, Class<T> type) {
    try {
      return checkNotNull(MAPPER.treeToValue(node, type));
    } catch (JsonProcessingException e) {
      throw translate(e);
    } catch (IllegalArgumentException e) {
      if (e instanceof WireFormatException w) throw w;
      if (e.getCause() instanceof IOException io) throw translate(io);
      throw new WireFormatException("", String.valueOf(e.getMessage()), e);
    }
  }

  /** Serializes a wire value to UTF-8 JSON bytes. */
  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Serializes a wire value to a JSON string. */
  public static String writeString(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static <T> T checkNotNull(T value) {
    if (value == null) throw new WireFormatException("body is JSON null, expected an object");
    return value;
  }

  /** Turns a Jackson failure into a {@link WireFormatException} whose field is the JSON path. */
  public static WireFormatException translate(IOException e) {
    if (e instanceof StreamReadException sre && !(e instanceof JsonMappingException)) {
      return new WireFormatException("", "malformed JSON" + where(sre) + ": " + sre.getOriginalMessage(), e);
    }
    if (e instanceof JsonMappingException jme) {
      StringBuilder path = new StringBuilder();
      for (JsonMappingException.Reference ref : jme.getPath()) {
        String name = ref.getFieldName();
        if (name != null) {
          if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) name = name.substring(1, name.length() - 1);
          if (!path.isEmpty()) path.append('.');
          path.append(name);
        } else if (ref.getIndex() >= 0) {
          path.append('[').append(ref.getIndex()).append(']');
        }
      }
      for (Throwable c = e; c != null; c = c.getCause()) {
        if (c instanceof WireFormatException w) {
          WireFormatException out = new WireFormatException(w.field(), w.reason(), e).under(path.toString());
          return out;
        }
        if (c.getCause() == c) break;
      }
      for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
        if (c instanceof StreamReadException sre && !(c instanceof JsonMappingException)) {
          return new WireFormatException(path.toString(), "malformed JSON" + where(sre) + ": " + sre.getOriginalMessage(), e);
        }
      }
      String msg = jme.getOriginalMessage();
      Matcher m = MISSING_CREATOR.matcher(msg == null ? "" : msg);
      if (m.find()) {
        String p = path.toString();
        String name = m.group(1);
        // Jackson's path usually ends at the missing property already.
        String field = p.equals(name) || p.endsWith("." + name) ? p : (p.isEmpty() ? name : p + "." + name);
        return new WireFormatException(field, "required field is missing", e);
      }
      if (msg != null && msg.startsWith("No content to map")) {
        return new WireFormatException("", "empty body, expected JSON", e);
      }
      return new WireFormatException(path.toString(), simplify(msg), e);
    }
    if (e instanceof JacksonException je) return new WireFormatException("", String.valueOf(je.getOriginalMessage()), e);
    return new WireFormatException("", "unreadable body: " + e.getMessage(), e);
  }

  private static String where(StreamReadException sre) {
    return sre.getLocation() == null ? "" : " at line " + sre.getLocation().getLineNr() + ", column " + sre.getLocation().getColumnNr();
  }

  private static String simplify(String msg) {
    if (msg == null) return "invalid value";
    // Jackson appends hints and source locations that mean nothing to an API user.
    int hint = msg.indexOf(" (set DeserializationConfig");
    if (hint < 0) hint = msg.indexOf("\n at [Source");
    return hint < 0 ? msg : msg.substring(0, hint);
  }
}
