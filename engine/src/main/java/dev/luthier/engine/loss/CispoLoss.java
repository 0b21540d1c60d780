package dev.luthier.engine.loss;

/** {@code −Σ sg[clip(r, lo, hi)]·lp·A} (defaults lo 0, hi 4): the clipped ratio weights lp without a gradient. */
public record CispoLoss(double clipLow, double clipHigh) implements LossFunction {
    public static final double DEFAULT_LOW = 0.0;
    public static final double DEFAULT_HIGH = 4.0;

    @Override
    public String name() {
        return "cispo";
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
        double weight = Math.min(Math.max(ratio, lo), hi) * in.advantages()[i];
        gradient[gi] = (float) -weight;
        return -weight * lp;
    }
}
