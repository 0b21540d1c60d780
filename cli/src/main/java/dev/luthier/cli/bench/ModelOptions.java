package dev.luthier.cli.bench;

import dev.luthier.engine.kernels.Kernels;
import dev.luthier.engine.model.LoadedModel;
import dev.luthier.engine.model.ModelConfig;
import dev.luthier.engine.model.ModelPresets;
import dev.luthier.engine.model.RandomModel;
import dev.luthier.engine.model.Transformer;
import dev.luthier.engine.tensor.DType;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;

/** Which model a benchmark runs: a Hugging Face directory or a random model of a preset's shape. */
public final class ModelOptions {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--model", description = "Hugging Face model directory")
        Path dir;

        @Option(names = "--preset", description = "random model of a known shape: tiny, small, qwen3-0.6b, qwen3-moe-tiny, qwen3-moe-tiny-dense")
        String preset;
    }

    @Option(names = "--dtype", defaultValue = "f32", description = "weight dtype of preset models: f32 or bf16 (default ${DEFAULT-VALUE})")
    String dtype;

    /** A loaded model and what keeps its weights alive. */
    public record Opened(Transformer transformer, String name, int weightBytes, AutoCloseable resources) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            resources.close();
        }
    }

    public Opened open(Kernels kernels, int maxPositions) throws IOException {
        if (source.dir != null) {
            LoadedModel m = LoadedModel.load(source.dir, kernels, maxPositions);
            int bytes = "bfloat16".equals(m.config().torchDtype()) || "float16".equals(m.config().torchDtype()) ? 2 : 4;
            return new Opened(m.transformer(), source.dir.toString(), bytes, m);
        }
        return openPreset(source.preset, dtype, kernels, maxPositions);
    }

    /** A random model of a preset's shape with weights of {@code dtype} ({@code f32} or {@code bf16}). */
    public static Opened openPreset(String preset, String dtype, Kernels kernels, int maxPositions) {
        ModelConfig config = ModelPresets.get(preset);
        DType type = switch (dtype) {
            case "f32" -> DType.F32;
            case "bf16" -> DType.BF16;
            default -> throw new IllegalArgumentException("--dtype must be f32 or bf16, got " + dtype);
        };
        Arena arena = Arena.ofShared();
        Transformer t = new Transformer(config, RandomModel.weights(config, kernels, 1, 0.02, type, arena), kernels, maxPositions);
        return new Opened(t, "preset:" + preset, type.bytes(), arena::close);
    }
}
