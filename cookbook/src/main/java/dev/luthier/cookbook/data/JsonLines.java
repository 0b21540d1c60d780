package dev.luthier.cookbook.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * The lines of a JSONL data file, the way every loader of the cookbook reads them: plain or gzip ({@code .gz}),
 * UTF-8 (a byte-order mark at the start is dropped; invalid bytes are an error naming the file), blank lines
 * skipped, each line handed over with its 1-based number so that errors can name {@code file:line}.
 */
public final class JsonLines {
    /** Receives one non-blank line. */
    @FunctionalInterface
    public interface LineHandler {
        void accept(String line, long number) throws IOException;
    }

    private JsonLines() {
    }

    /** Calls {@code handler} for every non-blank line of {@code file}; {@code what} names the data in I/O errors. */
    public static void forEach(Path file, String what, LineHandler handler) {
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                     .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)))) {
            String line;
            long number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (number == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1);
                }
                if (!line.isBlank()) {
                    handler.accept(line, number);
                }
            }
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(file + ": not UTF-8 text", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
    }
}
