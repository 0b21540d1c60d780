package dev.luthier.api;

import java.util.List;
import java.util.Map;

/** Checks that the record constructors of the wire types share. */
public final class Fields {
  private Fields() {}

  /** {@code value}, or a {@link WireFormatException} naming {@code field} when it is null. */
  public static <T> T require(T value, String field) {
    if (value == null) throw new WireFormatException(field, "required field is missing or null");
    return value;
  }

  /** A non-null, non-empty string. */
  public static String requireText(String value, String field) {
    require(value, field);
    if (value.isEmpty()) throw new WireFormatException(field, "must not be empty");
    return value;
  }

  /** An unmodifiable copy, or an empty list for null. */
  public static <T> List<T> listOrEmpty(List<T> list) {
    return list == null ? List.of() : List.copyOf(list);
  }

  /** An unmodifiable copy that keeps null elements, or null for null. */
  public static <T> List<T> copyKeepingNulls(List<T> list) {
    return list == null ? null : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(list));
  }

  /** An unmodifiable copy that keeps insertion order, or null for null. */
  public static <K, V> Map<K, V> copyOrNull(Map<K, V> map) {
    return map == null ? null : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(map));
  }

  /** A finite double, or a {@link WireFormatException} naming {@code field}. */
  public static double finite(double value, String field) {
    if (!Double.isFinite(value)) throw new WireFormatException(field, "must be a finite number, got " + value);
    return value;
  }
}
