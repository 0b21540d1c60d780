package dev.luthier.client.training;

import dev.luthier.api.input.Datum;
import dev.luthier.api.input.DmelChunk;
import dev.luthier.api.input.EncodedTextChunk;
import dev.luthier.api.input.ImageChunk;
import dev.luthier.api.input.ModelInputChunk;
import dev.luthier.api.tensor.DType;
import dev.luthier.api.tensor.TensorData;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a forward_backward batch the way SDK 0.25.0 does: consecutive chunks of at most {@code maxLen} datums and
 * at most {@code maxBytes} estimated bytes (4 per token plus the tensors' bytes), a datum never split, a datum larger
 * than the byte limit alone in its chunk.
 */
public final class Chunker {
    private Chunker() {
    }

    /** The chunks as [start, end) index ranges into {@code data}, in order. */
    public static List<int[]> split(List<Datum> data, int maxLen, long maxBytes) {
        List<int[]> out = new ArrayList<>();
        int start = 0;
        long bytes = 0;
        for (int i = 0; i < data.size(); i++) {
            long b = estimateBytes(data.get(i));
            if (i > start && (i - start >= maxLen || bytes + b > maxBytes)) {
                out.add(new int[]{start, i});
                start = i;
                bytes = 0;
            }
            bytes += b;
        }
        if (start < data.size()) {
            out.add(new int[]{start, data.size()});
        }
        return out;
    }

    /** 4 bytes per token (or the raw bytes of an image/audio chunk) plus the bytes of every loss input tensor. */
    public static long estimateBytes(Datum d) {
        long n = 0;
        for (ModelInputChunk c : d.modelInput().chunks()) {
            n += switch (c) {
                case EncodedTextChunk t -> 4L * t.tokens().length;
                case ImageChunk img -> img.data().length;
                case DmelChunk dm -> dm.dmel().length;
                default -> c.length().orElse(0) * 4L;
            };
        }
        for (TensorData t : d.lossFnInputs().values()) {
            n += (long) t.size() * (t.dtype() == DType.INT64 ? 8 : 4);
        }
        return n;
    }
}
