package dev.luthier.api.ids;

import dev.luthier.api.WireFormatException;

final class SeqIds {
  private SeqIds() {}

  /** {index of marker, n} for {@code "<session><marker><n>"}, splitting at the last marker. */
  static int[] split(String id, String marker, String field, String form) {
    if (id == null) throw new WireFormatException(field, "required field is missing or null");
    int at = id.lastIndexOf(marker);
    if (at <= 0) throw new WireFormatException(field, "\"" + id + "\" is not of the form " + form);
    String digits = id.substring(at + marker.length());
    if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new WireFormatException(field, "\"" + id + "\" is not of the form " + form);
    }
    return new int[] {at, Integer.parseInt(digits)};
  }
}
