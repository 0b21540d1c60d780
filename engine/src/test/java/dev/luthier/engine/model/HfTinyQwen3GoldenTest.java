package dev.luthier.engine.model;

/**
 * The golden contract on the tiny dense Qwen3 ({@code hf-tiny/qwen3}: q/k norm, head_dim ≠ hidden/heads, GQA 8/2,
 * tied embeddings).
 */
class HfTinyQwen3GoldenTest extends HfTinyGoldenContract {
    @Override
    String modelPath() {
        return "models/hf-tiny/qwen3";
    }
}
