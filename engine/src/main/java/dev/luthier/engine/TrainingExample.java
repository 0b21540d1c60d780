package dev.luthier.engine;

import dev.luthier.engine.loss.LossFunction;
import dev.luthier.engine.loss.LossInputs;
import dev.luthier.engine.lora.LoraAdapter;

/**
 * One sequence of a forward/backward pass: its input tokens, its adapter (null: the base model), its loss and the
 * loss's per-token inputs. Position i of {@code inputTokens} predicts target i.
 */
public record TrainingExample(LoraAdapter adapter, int[] inputTokens, LossFunction loss, LossInputs lossInputs) {
    public TrainingExample {
        if (inputTokens.length == 0) {
            throw new IllegalArgumentException("model_input is empty");
        }
        if (lossInputs.length() != inputTokens.length) {
            throw new IllegalArgumentException("loss_fn_inputs have " + lossInputs.length()
                    + " positions but model_input has " + inputTokens.length + " tokens");
        }
        loss.validate(lossInputs);
    }
}
