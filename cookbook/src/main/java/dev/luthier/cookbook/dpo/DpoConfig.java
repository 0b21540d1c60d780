package dev.luthier.cookbook.dpo;

import dev.luthier.cookbook.preferences.PreferenceFormat;
import dev.luthier.cookbook.sft.ScheduleKind;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Settings of a DPO run (each settable as {@code key=value} on the command line).
 *
 * @param modelName      the base model to train a LoRA adapter on
 * @param rank           LoRA rank
 * @param learningRate   AdamW learning rate at step 0
 * @param schedule       how the rate moves over the run
 * @param beta           DPO temperature: how far the policy may move from the reference
 * @param batchSize      preference pairs per step
 * @param epochs         passes over the data (ignored when {@code maxSteps} is set)
 * @param maxSteps       stop after this many steps
 * @param maxLength      pairs with a sequence longer than this many tokens are left out
 * @param renderer       chat renderer name ({@code role_colon}, {@code qwen3}, ...)
 * @param tokenizer      the model's {@code tokenizer.json} or its directory (read by the command line, not the loop)
 * @param data           preference pairs (JSONL; read by the command line)
 * @param dataFormat     their line format
 * @param testSize       pairs held out of the data (seeded) and evaluated without training (0: none)
 * @param evalEvery      evaluate the held-out pairs every this many steps (0: only before the first and after the last)
 * @param saveEvery      save a resumable checkpoint every this many steps (0: only at the end)
 * @param referenceModel the frozen reference: a {@code tinker://} checkpoint; the base model when empty
 * @param loadCheckpoint a {@code tinker://.../weights/...} state to start the policy from
 * @param logDir         {@code metrics.jsonl}, {@code checkpoints.jsonl}, {@code config.json} and {@code report.html};
 *                       a run started again with the same directory resumes from its last checkpoint
 * @param seed           data order and adapter initialisation
 */
public record DpoConfig(
        String modelName,
        int rank,
        double learningRate,
        ScheduleKind schedule,
        double beta,
        int batchSize,
        int epochs,
        Optional<Integer> maxSteps,
        int maxLength,
        String renderer,
        Optional<Path> tokenizer,
        Optional<Path> data,
        PreferenceFormat dataFormat,
        int testSize,
        int evalEvery,
        int saveEvery,
        Optional<String> referenceModel,
        Optional<String> loadCheckpoint,
        Path logDir,
        long seed) {

    public DpoConfig {
        if (modelName == null || modelName.isBlank()) {
            throw new IllegalArgumentException("modelName is required (e.g. modelName=Qwen/Qwen3-0.6B)");
        }
        if (!dev.luthier.cookbook.renderers.Renderers.NAMES.contains(renderer)) {
            throw new IllegalArgumentException("renderer must be one of " + dev.luthier.cookbook.renderers.Renderers.NAMES
                    + ", got " + renderer);
        }
        positive("rank", rank);
        positive("batchSize", batchSize);
        positive("epochs", epochs);
        positive("maxLength", maxLength);
        maxSteps.ifPresent(s -> positive("maxSteps", s));
        if (testSize < 0 || evalEvery < 0 || saveEvery < 0) {
            throw new IllegalArgumentException("testSize, evalEvery and saveEvery must not be negative, got " + testSize
                    + ", " + evalEvery + ", " + saveEvery);
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learningRate must be positive, got " + learningRate);
        }
        if (!(beta > 0) || !Double.isFinite(beta)) {
            throw new IllegalArgumentException("beta must be positive, got " + beta);
        }
        referenceModel.ifPresent(p -> {
            if (!p.startsWith("tinker://")) {
                throw new IllegalArgumentException("referenceModel must be a tinker:// checkpoint path, got " + p);
            }
        });
    }

    /**
     * The cookbook's defaults for {@code model}: rank 32, LR 1e-5 linear, β 0.1, 32 pairs a step, one epoch, a
     * checkpoint every 20 steps.
     */
    public static DpoConfig defaults(String modelName) {
        return new DpoConfig(modelName, 32, 1e-5, ScheduleKind.LINEAR, 0.1, 32, 1, Optional.empty(), 8192,
                "role_colon", Optional.empty(), Optional.empty(), PreferenceFormat.AUTO, 0, 10, 20, Optional.empty(), Optional.empty(),
                Path.of("runs", "dpo"), 0);
    }

    private static void positive(String name, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + v);
        }
    }
}
