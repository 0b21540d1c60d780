package dev.luthier.engine.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Access to {@code ../shared} (reference models, tokenizers, goldens); tests skip with a message where it is absent. */
public final class SharedData {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SharedData() {
    }

    public static Path root() {
        String configured = System.getProperty("luthier.shared");
        return Path.of(configured != null ? configured : "../shared").toAbsolutePath().normalize();
    }

    /** The path under shared/, or skips the test when it is missing. */
    public static Path require(String relative) {
        Path p = root().resolve(relative);
        Assumptions.assumeTrue(Files.exists(p), "skipped: " + p + " is missing (the shared reference data is not here)");
        return p;
    }

    public static JsonNode json(Path p) {
        try {
            return JSON.readTree(p.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    public static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }
}
