package dev.luthier.cookbook.runs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.luthier.cookbook.config.ConfigOverrides;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A recipe's {@code config.json}: its config record's settings as {@link ConfigOverrides#describe} lists them. */
public final class RunConfigFile {
    public static final String FILE_NAME = "config.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RunConfigFile() {
    }

    /** Writes {@code logDir/config.json} (creating the directory) and returns its path. */
    public static Path write(Path logDir, Record config) {
        try {
            Files.createDirectories(logDir);
            Path file = logDir.resolve(FILE_NAME);
            JSON.writeValue(file.toFile(), ConfigOverrides.describe(config));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + FILE_NAME + " in " + logDir + ": " + e.getMessage(), e);
        }
    }
}
