package dev.luthier.api.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.InputCoercionException;
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
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
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

  /** Longest JSON string accepted (a base64 image or dmel chunk); Jackson's default is 20 M chars. */
  public static final int MAX_STRING_LENGTH = 512 << 20;

  private static ObjectMapper build() {
    com.fasterxml.jackson.core.JsonFactory factory = com.fasterxml.jackson.core.JsonFactory.builder()
        .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder().maxStringLength(MAX_STRING_LENGTH).build())
        .build();
    JsonMapper mapper = JsonMapper.builder(factory)
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
        .addModule(Instants.module())
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
    if (e instanceof InputCoercionException ice) {
      return new WireFormatException("", "number out of range: " + ice.getOriginalMessage(), e);
    }
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
      if (e instanceof InvalidTypeIdException tid) {
        String expected = "";
        com.fasterxml.jackson.annotation.JsonSubTypes subs = tid.getBaseType() == null ? null
            : tid.getBaseType().getRawClass().getAnnotation(com.fasterxml.jackson.annotation.JsonSubTypes.class);
        if (subs != null) {
          java.util.List<String> names = new java.util.ArrayList<>();
          for (var t : subs.value()) names.add(t.name());
          expected = " (expected one of " + String.join(", ", names) + ")";
        }
        String reason = tid.getTypeId() == null ? "missing \"type\"" + expected : "unknown type \"" + tid.getTypeId() + "\"" + expected;
        return new WireFormatException(path.toString(), reason, e);
      }
      for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
        if (c instanceof InputCoercionException ice) {
          return new WireFormatException(path.toString(), "number out of range: " + ice.getOriginalMessage(), e);
        }
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

  private static final Pattern COERCE = Pattern.compile("^Cannot coerce ([\\w-]+) value \\((.*?)\\) to (element of )?`([^`]+)`");
  private static final Pattern DESER = Pattern.compile("^Cannot deserialize value of type `([^`]+)` from ([\\w-]+) (?:value|token)(?: \\((.*?)\\))?");
  private static final Pattern NULL_PRIMITIVE = Pattern.compile("^Cannot map `null` into type `([^`]+)`");
  private static final Pattern ENUM_VALUE = Pattern.compile("^Cannot deserialize value of type `[^`]+` from String (\"[^\"]*\"): not one of the values accepted for Enum class: \\[([^\\]]*)\\]");

  /** Rewrites Jackson's messages in the wire's terms: "expected an integer, got a string \"x\"". */
  static String simplify(String msg) {
    if (msg == null) return "invalid value";
    Matcher m = ENUM_VALUE.matcher(msg);
    if (m.find()) return "unknown value " + m.group(1) + " (expected one of " + m.group(2) + ")";
    m = COERCE.matcher(msg);
    if (m.find()) {
      String type = m.group(3) != null && m.group(4).endsWith("[]") ? m.group(4).substring(0, m.group(4).length() - 2) : m.group(4);
      return "expected " + jsonType(type) + ", got " + article(m.group(1)) + " " + m.group(2);
    }
    m = NULL_PRIMITIVE.matcher(msg);
    if (m.find()) return "expected " + jsonType(m.group(1)) + ", got null";
    m = DESER.matcher(msg);
    if (m.find()) return "expected " + jsonType(m.group(1)) + ", got " + article(m.group(2));
    for (String cut : new String[] {" (set DeserializationConfig", " (but ", " (for POJO property", "\n at [Source"}) {
      int at = msg.indexOf(cut);
      if (at >= 0) msg = msg.substring(0, at);
    }
    return msg;
  }

  private static String article(String jacksonShape) {
    String s = jacksonShape.toLowerCase(java.util.Locale.ROOT);
    return switch (s) {
      case "string" -> "a string";
      case "integer" -> "an integer";
      case "floating-point" -> "a float";
      case "boolean" -> "a boolean";
      case "array" -> "an array";
      case "object" -> "an object";
      default -> s;
    };
  }

  private static String jsonType(String javaType) {
    String t = javaType.replace("java.lang.", "").replace("java.math.", "");
    if (t.endsWith("[]") || t.startsWith("java.util.") && (t.contains("List") || t.contains("Set"))) return "an array";
    if (t.startsWith("java.util.") && t.contains("Map")) return "an object";
    return switch (t) {
      case "int", "Integer", "long", "Long", "short", "Short", "BigInteger" -> "an integer";
      case "float", "Float", "double", "Double", "BigDecimal" -> "a number";
      case "boolean", "Boolean" -> "a boolean";
      case "String" -> "a string";
      case "java.time.Instant" -> "an ISO-8601 date-time string";
      default -> "an object";
    };
  }
}
