package dev.luthier.cli.connect;

import dev.luthier.cookbook.renderers.HfTokenizers;
import dev.luthier.engine.tokenizer.HfTokenizer;
import dev.luthier.server.models.BaseModelRegistry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the tokenizer a recipe renders with: an explicit {@code tokenizer.json} (or its directory), else the local
 * directory of the base model (a {@code NAME=DIR} mapping, the name as a directory, or the Hugging Face cache).
 */
public final class TokenizerLookup {
    private TokenizerLookup() {
    }

    public static HfTokenizers.Adapter open(Optional<Path> explicit, String baseModel, Map<String, Path> models) throws IOException {
        if (explicit.isPresent()) {
            Path t = explicit.get();
            Path json = Files.isDirectory(t) ? t.resolve(HfTokenizer.TOKENIZER_JSON) : t;
            if (!Files.isRegularFile(json)) {
                throw new IllegalArgumentException("no tokenizer at " + json);
            }
            return HfTokenizers.open(json);
        }
        Path found = localModelDir(baseModel, models).orElseThrow(() -> new IllegalArgumentException(
                "cannot find a tokenizer for " + baseModel + " here: give its tokenizer.json (tokenizer=PATH or --tokenizer PATH)"));
        Path json = found.resolve(HfTokenizer.TOKENIZER_JSON);
        if (!Files.isRegularFile(json)) {
            throw new IllegalArgumentException(found + " has no tokenizer.json: give one (tokenizer=PATH or --tokenizer PATH)");
        }
        return HfTokenizers.open(json);
    }

    /**
     * The local directory of a base model, when there is one: a {@code NAME=DIR} mapping, the Hugging Face cache, or
     * the name itself as a model directory.
     */
    public static Optional<Path> localModelDir(String baseModel, Map<String, Path> models) {
        BaseModelRegistry registry = new BaseModelRegistry(BaseModelRegistry.defaultHuggingFaceHome());
        models.forEach(registry::register);
        Optional<Path> dir = registry.resolve(baseModel);
        if (dir.isEmpty() && Files.isRegularFile(Path.of(baseModel).resolve("config.json"))) {
            dir = Optional.of(Path.of(baseModel));
        }
        return dir;
    }
}
