package dev.luthier.cookbook.distill;

import dev.luthier.cookbook.rl.ChunkedSampling;
import dev.luthier.cookbook.sft.ScheduleKind;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Settings of an on-policy distillation run (each settable as {@code key=value} on the command line).
 *
 * @param modelName       the student's base model (a LoRA adapter on it is trained)
 * @param teacher         the teacher: a base model name or a {@code tinker://} checkpoint; it must share the
 *                        student's tokenizer
 * @param rank            LoRA rank
 * @param learningRate    AdamW learning rate at step 0
 * @param schedule        how the rate moves over the run
 * @param groupSize       completions sampled per prompt
 * @param promptsPerStep  prompts per step (a step trains on {@code promptsPerStep × groupSize} completions)
 * @param steps           optimizer steps; prompts are cycled in a fresh seeded order each pass
 * @param maxTokens       the longest completion sampled
 * @param temperature     the student's sampling temperature
 * @param klCoef          the weight of the reverse-KL penalty in the advantage
 * @param klDiscount      γ: how much a token answers for the KL of the tokens after it (0: only itself)
 * @param renderer        chat renderer name
 * @param tokenizer       the student's {@code tokenizer.json} or its directory (read by the command line)
 * @param data            prompts (JSONL; read by the command line)
 * @param loadCheckpoint  a {@code tinker://.../weights/...} state to start the student from
 * @param logDir          {@code metrics.jsonl}, {@code checkpoints.jsonl}, {@code config.json} and {@code report.html};
 *                        a run started again with the same directory resumes from its last checkpoint
 * @param seed            prompt order, adapter initialisation and sampling seeds
 * @param samplesPerRequest most samples asked of the server in one request (a Luthier server takes at most its
 *                        sampler slots, 16 by default); larger groups are sampled in several requests
 * @param saveEvery       save a resumable checkpoint every this many steps (0: only at the end)
 */
public record DistillConfig(
        String modelName,
        String teacher,
        int rank,
        double learningRate,
        ScheduleKind schedule,
        int groupSize,
        int promptsPerStep,
        int steps,
        int maxTokens,
        double temperature,
        double klCoef,
        double klDiscount,
        String renderer,
        Optional<Path> tokenizer,
        Optional<Path> data,
        Optional<String> loadCheckpoint,
        Path logDir,
        long seed,
        int samplesPerRequest,
        int saveEvery) {

    public DistillConfig {
        if (modelName == null || modelName.isBlank()) {
            throw new IllegalArgumentException("modelName is required (the student's base model)");
        }
        if (teacher == null || teacher.isBlank()) {
            throw new IllegalArgumentException("teacher is required (a base model or a tinker:// checkpoint)");
        }
        if (!dev.luthier.cookbook.renderers.Renderers.NAMES.contains(renderer)) {
            throw new IllegalArgumentException("renderer must be one of " + dev.luthier.cookbook.renderers.Renderers.NAMES
                    + ", got " + renderer);
        }
        for (var e : java.util.Map.of("rank", rank, "groupSize", groupSize, "promptsPerStep", promptsPerStep,
                "steps", steps, "maxTokens", maxTokens, "samplesPerRequest", samplesPerRequest).entrySet()) {
            if (e.getValue() < 1) {
                throw new IllegalArgumentException(e.getKey() + " must be at least 1, got " + e.getValue());
            }
        }
        if (saveEvery < 0) {
            throw new IllegalArgumentException("saveEvery must not be negative, got " + saveEvery);
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learningRate must be positive, got " + learningRate);
        }
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be positive for on-policy sampling, got " + temperature);
        }
        if (!(klCoef > 0)) {
            throw new IllegalArgumentException("klCoef must be positive, got " + klCoef);
        }
        if (!(klDiscount >= 0 && klDiscount <= 1)) {
            throw new IllegalArgumentException("klDiscount must be in [0, 1], got " + klDiscount);
        }
    }

    /**
     * The cookbook's defaults: rank 128, LR 1e-4 constant, 4 completions for each of 16 prompts, 256 tokens, coef 1,
     * γ 0, a checkpoint every 20 steps.
     */
    public static DistillConfig defaults(String modelName, String teacher) {
        return new DistillConfig(modelName, teacher, 128, 1e-4, ScheduleKind.CONSTANT, 4, 16, 100, 256, 1.0, 1.0, 0.0,
                "role_colon", Optional.empty(), Optional.empty(), Optional.empty(), Path.of("runs", "distill"), 0,
                ChunkedSampling.DEFAULT_SAMPLES_PER_REQUEST, 20);
    }
}
