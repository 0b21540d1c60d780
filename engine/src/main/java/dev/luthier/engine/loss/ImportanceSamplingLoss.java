package dev.luthier.engine.loss;

/** {@code −Σ r·A} with {@code r = exp(lp − q)}, q the sampler's log-probability. */
public record ImportanceSamplingLoss() implements LossFunction {
    @Override
    public String name() {
        return "importance_sampling";
    }

    @Override
    public void validate(LossInputs in) {
        LossFunction.requirePolicyInputs(name(), in);
    }

    @Override
    public double term(LossInputs in, int i, float lp, float[] gradient, int gi) {
        double ratio = Math.exp((double) lp - in.samplingLogprobs()[i]);
        double a = in.advantages()[i];
        gradient[gi] = (float) (-ratio * a);
        return -ratio * a;
    }
}
