package dev.luthier.engine.lora;

/**
 * How an adapter is shaped: rank, alpha (scale = alpha/rank), the seed of A's initialisation, and which groups
 * of projections it trains, as Tinker's {@code LoraConfig}.
 */
public record LoraConfig(int rank, double alpha, long seed, boolean trainAttn, boolean trainMlp,
                         boolean trainUnembed) {

    public static final double DEFAULT_ALPHA = 32;

    public LoraConfig {
        if (rank < 1) {
            throw new IllegalArgumentException("LoRA rank must be at least 1, got " + rank);
        }
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("LoRA alpha must be a positive number, got " + alpha);
        }
        if (!trainAttn && !trainMlp && !trainUnembed) {
            throw new IllegalArgumentException("LoRA config trains nothing: set train_attn, train_mlp or train_unembed");
        }
    }

    public static LoraConfig of(int rank, long seed) {
        return new LoraConfig(rank, DEFAULT_ALPHA, seed, true, true, true);
    }

    public float scale() {
        return (float) (alpha / rank);
    }

    public boolean trains(LoraTarget target) {
        return target == LoraTarget.LM_HEAD ? trainUnembed : target.isAttention() ? trainAttn : trainMlp;
    }
}
