package dev.luthier.engine.loss;

/** {@code −Σ w·lp}, with (N,K) soft targets when K > 1. Missing weights count as 1. */
public record CrossEntropyLoss() implements LossFunction {
    @Override
    public String name() {
        return "cross_entropy";
    }

    @Override
    public void validate(LossInputs inputs) {
    }

    @Override
    public double term(LossInputs in, int i, float lp, float[] gradient, int gi) {
        float w = in.weights() == null ? 1f : in.weights()[i];
        gradient[gi] = -w;
        return w == 0 ? 0 : -(double) w * lp;
    }
}
