package dev.luthier.server.storage.runs;

/**
 * The adapter a training run trains ({@code lora_config} of create_model).
 *
 * @param rank  the LoRA rank; null for a full fine-tune
 * @param alpha the LoRA scaling numerator; null for the engine's default
 * @param seed  the initialisation seed; null when the client sent none
 */
public record LoraSettings(Integer rank, Double alpha, Long seed, boolean trainAttn, boolean trainMlp,
                           boolean trainUnembed) {
    public boolean isLora() {
        return rank != null;
    }
}
