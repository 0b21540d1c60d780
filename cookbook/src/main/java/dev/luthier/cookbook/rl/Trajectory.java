package dev.luthier.cookbook.rl;

import java.util.List;

/** An episode's turns in order. */
public record Trajectory(List<Transition> transitions) {
    public Trajectory {
        transitions = List.copyOf(transitions);
        if (transitions.isEmpty()) {
            throw new IllegalArgumentException("a trajectory has at least one transition");
        }
    }

    /** The sum of the step rewards. */
    public double stepRewardSum() {
        double sum = 0;
        for (Transition t : transitions) {
            sum += t.reward();
        }
        return sum;
    }
}
