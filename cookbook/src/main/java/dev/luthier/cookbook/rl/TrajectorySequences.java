package dev.luthier.cookbook.rl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a trajectory into training sequences. Turns share one sequence while each observation extends everything
 * before it (the previous observation and action are its prefix), so a multi-turn chat trains as one datum; an
 * observation that does not (e.g. a context that was summarised) starts a new sequence.
 */
public final class TrajectorySequences {
    private TrajectorySequences() {
    }

    /** The sequences of {@code trajectory}, every action token carrying {@code advantage}. */
    public static List<TrainingSequence> of(Trajectory trajectory, double advantage) {
        List<TrainingSequence> out = new ArrayList<>();
        Builder current = null;
        for (Transition t : trajectory.transitions()) {
            int[] ob = t.observation().tokens();
            if (current != null && current.isPrefixOf(ob)) {
                current.add(Arrays.copyOfRange(ob, current.size, ob.length), null, advantage);
            } else {
                if (current != null) {
                    current.finish(out);
                }
                current = new Builder();
                current.add(ob, null, advantage);
            }
            current.add(t.action(), t.logprobs(), advantage);
        }
        current.finish(out);
        return out;
    }

    private static final class Builder {
        int[] tokens = new int[16];
        float[] logprobs = new float[16];
        float[] advantages = new float[16];
        boolean[] action = new boolean[16];
        int size;

        boolean isPrefixOf(int[] ob) {
            return ob.length >= size && Arrays.equals(tokens, 0, size, ob, 0, size);
        }

        /** Appends tokens; with {@code lp} they are actions carrying the advantage, without they are observation. */
        void add(int[] toks, float[] lp, double advantage) {
            int need = size + toks.length;
            if (need > tokens.length) {
                int cap = Math.max(need, tokens.length * 2);
                tokens = Arrays.copyOf(tokens, cap);
                logprobs = Arrays.copyOf(logprobs, cap);
                advantages = Arrays.copyOf(advantages, cap);
                action = Arrays.copyOf(action, cap);
            }
            for (int i = 0; i < toks.length; i++) {
                tokens[size + i] = toks[i];
                if (lp != null) {
                    logprobs[size + i] = lp[i];
                    advantages[size + i] = (float) advantage;
                    action[size + i] = true;
                }
            }
            size = need;
        }

        void finish(List<TrainingSequence> out) {
            if (size >= 2) {
                out.add(new TrainingSequence(Arrays.copyOf(tokens, size), Arrays.copyOf(logprobs, size),
                        Arrays.copyOf(advantages, size), Arrays.copyOf(action, size)));
            }
        }
    }
}
