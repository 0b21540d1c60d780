package dev.luthier.api.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * Dates go out as ISO-8601 UTC with at most microseconds ({@code 2026-08-08T12:34:56.123456Z}):
 * Python's datetime, which the SDK parses into, holds no finer fraction.
 */
final class Instants {
  private Instants() {}

  static SimpleModule module() {
    SimpleModule m = new SimpleModule("luthier-instants");
    m.addSerializer(Instant.class, new StdSerializer<>(Instant.class) {
      @Override
      public void serialize(Instant value, JsonGenerator g, SerializerProvider provider) throws IOException {
        g.writeString(DateTimeFormatter.ISO_INSTANT.format(value.truncatedTo(ChronoUnit.MICROS)));
      }
    });
    return m;
  }
}
