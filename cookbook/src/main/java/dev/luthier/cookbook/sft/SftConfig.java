package dev.luthier.cookbook.sft;

import dev.luthier.cookbook.renderers.Renderers;
import dev.luthier.cookbook.renderers.TrainOn;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Settings of a supervised fine-tuning run ({@code luthier sft key=value ...} sets any of them by name).
 *
 * @param modelName    the base model as the server names it
 * @param tokenizer    a {@code tokenizer.json} (or a directory holding one) for rendering; empty: the CLI looks for
 *                     the base model's own tokenizer
 * @param renderer     renderer name ({@link Renderers#NAMES})
 * @param data         training conversations (JSONL or ShareGPT, see {@code ConversationFiles}); may be empty when
 *                     the caller passes conversations to {@link SupervisedTraining#run} itself
 * @param testData     held-out conversations; when empty, {@code testSize} conversations are held out of {@code data}
 * @param testSize     conversations held out of {@code data} when there is no {@code testData} (0: no evaluation)
 * @param rank         LoRA rank
 * @param learningRate peak learning rate
 * @param schedule     decay after warm-up
 * @param warmupSteps  steps of linear warm-up
 * @param batchSize    conversations per step
 * @param epochs       passes over the training data
 * @param maxSteps     stop after this many steps (the schedule then spans this many)
 * @param maxLength    conversations are cut to this many tokens after rendering
 * @param trainOn      which tokens carry loss
 * @param saveEvery    save a resumable checkpoint every this many steps (0: only at the end)
 * @param evalEvery    evaluate on the held-out set every this many steps, before the step (0: only at start and end)
 * @param logDir       metrics.jsonl, checkpoints.jsonl, config.json and report.html; a run started again with the
 *                     same directory resumes from its last checkpoint
 * @param seed         data order, held-out split and LoRA initialisation
 * @param weightDecay  AdamW decoupled weight decay
 * @param gradClipNorm clip the gradient to this global norm (0: no clipping)
 */
public record SftConfig(
        String modelName,
        Optional<Path> tokenizer,
        String renderer,
        Optional<Path> data,
        Optional<Path> testData,
        int testSize,
        int rank,
        double learningRate,
        ScheduleKind schedule,
        int warmupSteps,
        int batchSize,
        int epochs,
        Optional<Integer> maxSteps,
        int maxLength,
        TrainOn trainOn,
        int saveEvery,
        int evalEvery,
        Path logDir,
        long seed,
        double weightDecay,
        double gradClipNorm) {

    public SftConfig {
        if (modelName == null || modelName.isBlank()) {
            throw new IllegalArgumentException("modelName is required");
        }
        if (!Renderers.NAMES.contains(renderer)) {
            throw new IllegalArgumentException("renderer must be one of " + Renderers.NAMES + ", got " + renderer);
        }
        positive("rank", rank);
        positive("batchSize", batchSize);
        positive("epochs", epochs);
        nonNegative("testSize", testSize);
        nonNegative("warmupSteps", warmupSteps);
        nonNegative("saveEvery", saveEvery);
        nonNegative("evalEvery", evalEvery);
        if (maxLength < 2) {
            throw new IllegalArgumentException("maxLength must be at least 2, got " + maxLength);
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be positive, got " + learningRate);
        }
        maxSteps.ifPresent(m -> positive("maxSteps", m));
        if (weightDecay < 0 || gradClipNorm < 0) {
            throw new IllegalArgumentException("weightDecay and gradClipNorm must not be negative");
        }
    }

    /** The cookbook's defaults (LR 1e-4 linear, rank 32, batch 128, one epoch, all assistant messages) for this data. */
    public static SftConfig defaults(String modelName, Path data, Path logDir) {
        return new SftConfig(modelName, Optional.empty(), "role_colon", Optional.ofNullable(data), Optional.empty(), 0, 32, 1e-4,
                ScheduleKind.LINEAR, 0, 128, 1, Optional.empty(), 4096, TrainOn.ALL_ASSISTANT_MESSAGES, 20, 10, logDir, 0, 0, 0);
    }

    private static void positive(String name, long v) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be positive, got " + v);
        }
    }

    private static void nonNegative(String name, long v) {
        if (v < 0) {
            throw new IllegalArgumentException(name + " must not be negative, got " + v);
        }
    }
}
