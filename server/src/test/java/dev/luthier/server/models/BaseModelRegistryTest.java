package dev.luthier.server.models;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BaseModelRegistryTest {
    @Test
    void findsRegisteredModelsAndBareNamesInTheHuggingFaceCache(@TempDir Path tmp) throws Exception {
        Path mine = Files.createDirectories(tmp.resolve("mine"));
        Files.writeString(mine.resolve("config.json"), "{}");
        Path hub = tmp.resolve("hf").resolve("hub");
        Path snap = Files.createDirectories(hub.resolve("models--Qwen--Qwen3-0.6B").resolve("snapshots").resolve("abc123"));
        Files.writeString(snap.resolve("config.json"), "{}");
        Files.createDirectories(hub.resolve("models--Qwen--Qwen3-0.6B").resolve("refs"));
        Files.writeString(hub.resolve("models--Qwen--Qwen3-0.6B").resolve("refs").resolve("main"), "abc123\n");

        BaseModelRegistry registry = new BaseModelRegistry(tmp.resolve("hf"));
        registry.register("tiny", mine);
        assertThat(registry.resolve("tiny")).contains(mine);
        assertThat(registry.resolve("Qwen/Qwen3-0.6B")).contains(snap);
        assertThat(registry.resolve("Qwen/Qwen3-8B")).isEmpty();
        assertThat(registry.resolve("../etc")).isEmpty();
        assertThat(registry.names()).containsExactly("tiny", "Qwen/Qwen3-0.6B");
        assertThatThrownBy(() -> registry.register("bad", tmp)).hasMessageContaining("no config.json");
    }
}
