package dev.luthier.engine.model;

/** The model families the engine runs, keyed by Hugging Face {@code model_type}. */
public enum ModelFamily {
    LLAMA("llama"), QWEN2("qwen2"), QWEN3("qwen3"), QWEN3_MOE("qwen3_moe");

    private final String modelType;

    ModelFamily(String modelType) {
        this.modelType = modelType;
    }

    public String modelType() {
        return modelType;
    }

    public static ModelFamily fromModelType(String modelType) {
        for (ModelFamily f : values()) {
            if (f.modelType.equals(modelType)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown architecture: model_type \"" + modelType
                + "\" (supported: llama, qwen2, qwen3, qwen3_moe)");
    }
}
