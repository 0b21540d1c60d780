package dev.luthier.engine.loss;

/**
 * {@code −Σ min(r·A, clip(r, lo, hi)·A)}. The bounds are absolute ratio bounds (defaults 0.8 and 1.2), overridable
 * per token by {@code clip_low_threshold}/{@code clip_high_threshold} inputs. Where the clipped term is the smaller
 * one it is constant in lp, so the gradient is zero there.
 */
public record PpoLoss(double clipLow, double clipHigh) implements LossFunction {
    public static final double DEFAULT_LOW = 0.8;
    public static final double DEFAULT_HIGH = 1.2;

    @Override
    public String name() {
        return "ppo";
    }

    @Override
    public void validate(LossInputs in) {
        LossFunction.requirePolicyInputs(name(), in);
    }

    @Override
    public double term(LossInputs in, int i, float lp, float[] gradient, int gi) {
        double lo = in.clipLow() != null ? in.clipLow()[i] : clipLow;
        double hi = in.clipHigh() != null ? in.clipHigh()[i] : clipHigh;
        double ratio = Math.exp((double) lp - in.samplingLogprobs()[i]);
        double a = in.advantages()[i];
        double unclipped = ratio * a;
        double clipped = Math.min(Math.max(ratio, lo), hi) * a;
        if (unclipped <= clipped) {
            gradient[gi] = (float) (-ratio * a);
            return -unclipped;
        }
        gradient[gi] = 0f;
        return -clipped;
    }
}
