package dev.luthier.cookbook.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonLinesTest {
    @TempDir
    Path dir;

    private static List<String> read(Path file) {
        List<String> out = new ArrayList<>();
        JsonLines.forEach(file, "test data", (line, number) -> out.add(number + ":" + line));
        return out;
    }

    @Test
    void plainAndGzipFilesGiveTheSameNumberedNonBlankLines() throws Exception {
        String text = "\uFEFF{\"a\":1}\n\n   \n{\"b\":\"é\"}\n";
        Path plain = dir.resolve("d.jsonl");
        Files.writeString(plain, text, StandardCharsets.UTF_8);
        Path gz = dir.resolve("d.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(read(plain)).containsExactly("1:{\"a\":1}", "4:{\"b\":\"é\"}");
        assertThat(read(gz)).isEqualTo(read(plain));
    }

    @Test
    void badBytesAndMissingFilesAreNamedErrors() throws Exception {
        Path latin1 = dir.resolve("latin1.jsonl");
        Files.write(latin1, new byte[]{'{', '"', 'a', '"', ':', '"', (byte) 0xE9, '"', '}', '\n'});
        assertThatThrownBy(() -> read(latin1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("latin1.jsonl").hasMessageContaining("not UTF-8");
        assertThatThrownBy(() -> read(dir.resolve("missing.jsonl"))).hasMessageContaining("cannot read test data")
                .hasMessageContaining("missing.jsonl");
    }
}
