package dev.luthier.cookbook.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BatchingTest {

    @Test
    void eachEpochVisitsEveryFullBatchOnceInAFreshOrder() {
        EpochBatches b = new EpochBatches(10, 3, 7);
        assertThat(b.batchesPerEpoch()).isEqualTo(3);
        List<int[]> epochs = new ArrayList<>();
        for (int e = 0; e < 3; e++) {
            long first = 3L * e;
            int[] seen = IntStream.range(0, 3).flatMap(i -> Arrays.stream(b.batch(first + i))).toArray();
            assertThat(new HashSet<>(Arrays.stream(seen).boxed().toList())).hasSize(9); // 9 distinct of 10, one left out
            epochs.add(seen);
        }
        assertThat(epochs.get(0)).isNotEqualTo(epochs.get(1));
        assertThat(b.epochOf(5)).isEqualTo(1);
        // the same seed gives the same batch in a new object (what resuming relies on); another seed does not
        assertThat(new EpochBatches(10, 3, 7).batch(4)).isEqualTo(b.batch(4));
        assertThat(new EpochBatches(10, 3, 8).batch(0)).isNotEqualTo(b.batch(0));
    }

    @Test
    void batchesNeedEnoughData() {
        assertThatThrownBy(() -> new EpochBatches(2, 3, 0)).hasMessageContaining("fewer than one batch");
        assertThatThrownBy(() -> new EpochBatches(2, 0, 0)).hasMessageContaining("positive");
    }

    @Test
    void heldOutSplitIsDisjointAndSeeded() {
        List<Integer> items = IntStream.range(0, 20).boxed().toList();
        HeldOutSplit<Integer> s = HeldOutSplit.of(items, 5, 1);
        assertThat(s.test()).hasSize(5);
        assertThat(s.train()).hasSize(15);
        Set<Integer> all = new HashSet<>(s.train());
        all.addAll(s.test());
        assertThat(all).hasSize(20);
        assertThat(HeldOutSplit.of(items, 5, 1)).isEqualTo(s);
        assertThat(HeldOutSplit.ofFraction(items, 0.1, 1).test()).hasSize(2);
        assertThatThrownBy(() -> HeldOutSplit.of(items, 20, 1)).hasMessageContaining("at least one");
    }

    @Test
    void permutationIsAPermutation() {
        int[] p = Shuffle.permutation(50, 3);
        assertThat(Arrays.stream(p).sorted().toArray()).isEqualTo(IntStream.range(0, 50).toArray());
        assertThat(p).isNotEqualTo(IntStream.range(0, 50).toArray());
    }
}
