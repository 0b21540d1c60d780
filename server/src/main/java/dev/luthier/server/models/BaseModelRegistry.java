package dev.luthier.server.models;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The base models a server offers: names registered with a directory ({@code --model NAME=DIR}), and bare Hugging
 * Face names such as {@code Qwen/Qwen3-0.6B} found in the local Hugging Face cache
 * ({@code $HF_HOME/hub/models--Qwen--Qwen3-0.6B/snapshots/*}, default {@code ~/.cache/huggingface}).
 */
public final class BaseModelRegistry {
    private final Map<String, Path> registered = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Path huggingFaceHub;

    public BaseModelRegistry(Path huggingFaceHome) {
        this.huggingFaceHub = huggingFaceHome == null ? null : huggingFaceHome.resolve("hub");
    }

    /** The Hugging Face home from {@code $HF_HOME}, else {@code ~/.cache/huggingface}. */
    public static Path defaultHuggingFaceHome() {
        String env = System.getenv("HF_HOME");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "huggingface");
    }

    public void register(String name, Path dir) {
        if (!Files.isRegularFile(dir.resolve("config.json"))) {
            throw new IllegalArgumentException("model " + name + ": " + dir + " has no config.json");
        }
        registered.put(name, dir);
    }

    /** The directory of a model by name, or empty when neither registered nor in the Hugging Face cache. */
    public Optional<Path> resolve(String name) {
        Path dir = registered.get(name);
        if (dir != null) {
            return Optional.of(dir);
        }
        return fromCache(name);
    }

    /** Registered names first, then names found in the cache. */
    public List<String> names() {
        List<String> out = new ArrayList<>(registered.keySet());
        for (String cached : cachedNames()) {
            if (!out.contains(cached)) {
                out.add(cached);
            }
        }
        return out;
    }

    private Optional<Path> fromCache(String name) {
        if (huggingFaceHub == null || !name.contains("/") || name.contains("..")) {
            return Optional.empty();
        }
        Path snapshots = huggingFaceHub.resolve("models--" + name.replace("/", "--")).resolve("snapshots");
        if (!Files.isDirectory(snapshots)) {
            return Optional.empty();
        }
        // Prefer the snapshot that refs/main points to; else any snapshot with a config.json.
        Path ref = snapshots.getParent().resolve("refs").resolve("main");
        try {
            if (Files.isRegularFile(ref)) {
                Path snap = snapshots.resolve(Files.readString(ref).trim());
                if (Files.isRegularFile(snap.resolve("config.json"))) {
                    return Optional.of(snap);
                }
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(snapshots)) {
                for (Path snap : ds) {
                    if (Files.isRegularFile(snap.resolve("config.json"))) {
                        return Optional.of(snap);
                    }
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private List<String> cachedNames() {
        List<String> out = new ArrayList<>();
        if (huggingFaceHub == null || !Files.isDirectory(huggingFaceHub)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(huggingFaceHub, "models--*")) {
            for (Path p : ds) {
                String name = p.getFileName().toString().substring("models--".length()).replaceFirst("--", "/");
                if (fromCache(name).isPresent()) {
                    out.add(name);
                }
            }
        } catch (IOException e) {
            return out;
        }
        Collections.sort(out);
        return out;
    }
}
