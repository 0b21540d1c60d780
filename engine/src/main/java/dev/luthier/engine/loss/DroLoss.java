package dev.luthier.engine.loss;

/** {@code −Σ [lp·A − ½·β·(lp − q)²]}; β defaults to 0.1 (Tinker does not document its default). */
public record DroLoss(double beta) implements LossFunction {
    public static final double DEFAULT_BETA = 0.1;

    @Override
    public String name() {
        return "dro";
    }

    @Override
    public void validate(LossInputs in) {
        LossFunction.requirePolicyInputs(name(), in);
    }

    @Override
    public double term(LossInputs in, int i, float lp, float[] gradient, int gi) {
        double a = in.advantages()[i];
        double diff = (double) lp - in.samplingLogprobs()[i];
        gradient[gi] = (float) (-a + beta * diff);
        return -(lp * a - 0.5 * beta * diff * diff);
    }
}
