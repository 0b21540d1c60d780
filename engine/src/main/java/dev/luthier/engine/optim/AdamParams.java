package dev.luthier.engine.optim;

/**
 * Tinker's {@code AdamParams}: {@code torch.optim.AdamW} hyper-parameters plus optional global-norm clipping
 * ({@code gradClipNorm} 0 = none).
 */
public record AdamParams(double learningRate, double beta1, double beta2, double eps, double weightDecay,
                         double gradClipNorm) {
    public AdamParams {
        if (!(learningRate >= 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learning_rate must be a finite number >= 0, got " + learningRate);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("beta1 and beta2 must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(eps >= 0) || !Double.isFinite(eps)) {
            throw new IllegalArgumentException("eps must be a finite number >= 0, got " + eps);
        }
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("weight_decay must be a finite number >= 0, got " + weightDecay);
        }
        if (!(gradClipNorm >= 0) || !Double.isFinite(gradClipNorm)) {
            throw new IllegalArgumentException("grad_clip_norm must be a finite number >= 0, got " + gradClipNorm);
        }
    }

    /** Tinker's defaults with the given learning rate. */
    public static AdamParams of(double learningRate) {
        return new AdamParams(learningRate, 0.9, 0.95, 1e-12, 0.0, 0.0);
    }
}
