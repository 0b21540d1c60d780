package dev.luthier.client.training;

import dev.luthier.api.input.Datum;
import dev.luthier.client.Data;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ChunkerTest {
    static List<Datum> copies(Datum d, int n) {
        return new ArrayList<>(Collections.nCopies(n, d));
    }

    @Test
    void estimatesFourBytesPerTokenPlusTensorBytes() {
        // 4 input tokens (16 B), 4 int64 targets (32 B), 4 float32 weights (16 B)
        assertThat(Chunker.estimateBytes(Data.sft(1, 2, 3, 4, 5))).isEqualTo(64);
    }

    @Test
    void splitsByCountThenByBytes() {
        Datum d = Data.sft(1, 2, 3, 4, 5);
        assertThat(Chunker.split(copies(d, 2049), 1024, 5_000_000)).extracting(r -> r[1] - r[0]).containsExactly(1024, 1024, 1);
        assertThat(Chunker.split(copies(d, 10), 1024, 64 * 3)).extracting(r -> r[1] - r[0]).containsExactly(3, 3, 3, 1);
        assertThat(Chunker.split(copies(d, 1), 1024, 10)).extracting(r -> r[1] - r[0]).containsExactly(1);
        assertThat(Chunker.split(copies(d, 3), 1024, 10)).extracting(r -> r[1] - r[0]).containsExactly(1, 1, 1);
        assertThat(Chunker.split(List.of(), 1024, 10)).isEmpty();
    }
}
