package dev.luthier.engine.model;

import dev.luthier.engine.lora.LoraAdapter;

import java.util.ArrayList;
import java.util.List;

/**
 * Many sequences, possibly of different adapters, packed row after row into one pass.
 *
 * @param tokens     every token of every sequence, concatenated
 * @param positions  each token's position in its own sequence (including any cached prefix)
 * @param seqStart   first row of each sequence
 * @param seqLen     rows of each sequence in this pass
 * @param cacheSlot  the KV-cache slot of each sequence when decoding, or null in training
 * @param segments   maximal runs of rows that share an adapter
 */
public record PackedBatch(int[] tokens, int[] positions, int[] seqStart, int[] seqLen, int[] cacheSlot,
                          List<AdapterSegment> segments) {

    public PackedBatch {
        segments = List.copyOf(segments);
    }

    public int rows() {
        return tokens.length;
    }

    public int sequences() {
        return seqStart.length;
    }

    /** One sequence of a batch: its tokens, its adapter (or null), and its position offset (tokens already cached). */
    public record Sequence(int[] tokens, LoraAdapter adapter, int positionOffset, int cacheSlot) {
        public Sequence(int[] tokens, LoraAdapter adapter) {
            this(tokens, adapter, 0, -1);
        }
    }

    /**
     * Packs sequences in the given order; consecutive sequences with the same adapter share a segment, so callers
     * should order sequences by adapter.
     */
    public static PackedBatch of(List<Sequence> sequences) {
        int total = 0;
        for (Sequence s : sequences) {
            if (s.tokens().length == 0) {
                throw new IllegalArgumentException("empty sequence in batch");
            }
            total += s.tokens().length;
        }
        int n = sequences.size();
        int[] tokens = new int[total];
        int[] positions = new int[total];
        int[] start = new int[n];
        int[] len = new int[n];
        boolean cached = !sequences.isEmpty() && sequences.getFirst().cacheSlot() >= 0;
        int[] slots = cached ? new int[n] : null;
        List<AdapterSegment> segments = new ArrayList<>();
        int row = 0;
        int segStart = 0;
        LoraAdapter segAdapter = null;
        for (int s = 0; s < n; s++) {
            Sequence seq = sequences.get(s);
            if ((seq.cacheSlot() >= 0) != cached) {
                throw new IllegalArgumentException("a batch mixes cached and uncached sequences");
            }
            if (s > 0 && seq.adapter() != segAdapter) {
                segments.add(new AdapterSegment(segStart, row, segAdapter));
                segStart = row;
            }
            segAdapter = seq.adapter();
            start[s] = row;
            len[s] = seq.tokens().length;
            if (cached) {
                slots[s] = seq.cacheSlot();
            }
            for (int i = 0; i < seq.tokens().length; i++) {
                tokens[row] = seq.tokens()[i];
                positions[row] = seq.positionOffset() + i;
                row++;
            }
        }
        if (n > 0) {
            segments.add(new AdapterSegment(segStart, row, segAdapter));
        }
        return new PackedBatch(tokens, positions, start, len, slots, segments);
    }
}
