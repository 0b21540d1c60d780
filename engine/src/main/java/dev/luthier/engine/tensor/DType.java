package dev.luthier.engine.tensor;

/** Element types of tensors. Activations, gradients and trainable weights are always {@link #F32}. */
public enum DType {
    F32(4), BF16(2), F16(2);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    /** Parses a safetensors dtype string ("F32", "BF16", "F16"). */
    public static DType fromSafetensors(String name) {
        return switch (name) {
            case "F32" -> F32;
            case "BF16" -> BF16;
            case "F16" -> F16;
            default -> throw new IllegalArgumentException("unsupported dtype " + name + " (supported: F32, BF16, F16)");
        };
    }

    public String safetensorsName() {
        return name();
    }
}
