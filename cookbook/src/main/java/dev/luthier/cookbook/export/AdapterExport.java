package dev.luthier.cookbook.export;

import dev.luthier.client.rest.RestClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Writes a checkpoint's LoRA adapter as a PEFT adapter directory ({@code adapter_config.json} and
 * {@code adapter_model.safetensors}), loadable with {@code PeftModel.from_pretrained(base, dir)}. Works for sampler
 * checkpoints and for training states (whose optimizer moments are left out).
 */
public final class AdapterExport {
    public static final String CONFIG = "adapter_config.json";
    public static final String WEIGHTS = "adapter_model.safetensors";
    public static final List<String> FILES = List.of(CONFIG, WEIGHTS);

    private AdapterExport() {
    }

    /** Downloads {@code tinkerPath} and writes its PEFT adapter to {@code outDir}; returns {@code outDir}. */
    public static Path export(RestClient rest, String tinkerPath, Path outDir) throws IOException {
        Path staging = Files.createTempDirectory("luthier-export-");
        try {
            CheckpointDownload.download(rest, tinkerPath, staging);
            for (String f : FILES) {
                if (!Files.isRegularFile(staging.resolve(f))) {
                    throw new IOException("checkpoint " + tinkerPath + " has no " + f + " (is it a LoRA checkpoint?)");
                }
            }
            Files.createDirectories(outDir);
            for (String f : FILES) {
                Files.copy(staging.resolve(f), outDir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
            return outDir;
        } finally {
            deleteTree(staging);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
