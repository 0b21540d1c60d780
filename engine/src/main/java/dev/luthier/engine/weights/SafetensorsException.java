package dev.luthier.engine.weights;

/** A safetensors file or a model's weights are malformed, truncated or not what the caller needs. */
public class SafetensorsException extends RuntimeException {

    public SafetensorsException(String message) {
        super(message);
    }

    public SafetensorsException(String message, Throwable cause) {
        super(message, cause);
    }
}
