package dev.luthier.engine.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.luthier.engine.io.AtomicFiles;
import dev.luthier.engine.tensor.DType;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes {@code .safetensors} files the way the reference implementation lays them out: tensors in sorted
 * name order, contiguous data, the JSON header padded with spaces to a multiple of 8 bytes. The file appears
 * atomically.
 */
public final class SafetensorsWriter {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHUNK = 1 << 20;

    private SafetensorsWriter() {
    }

    public static void write(Path path, Map<String, TensorData> tensors) throws IOException {
        write(path, tensors, Map.of());
    }

    public static void write(Path path, Map<String, TensorData> tensors, Map<String, String> metadata) throws IOException {
        Map<String, TensorData> sorted = new TreeMap<>(tensors);
        byte[] header = header(sorted, metadata);
        AtomicFiles.write(path, ch -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
            AtomicFiles.writeFully(ch, len);
            AtomicFiles.writeFully(ch, ByteBuffer.wrap(header));
            ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            for (TensorData t : sorted.values()) {
                writeData(ch, buf, t);
            }
        });
    }

    private static byte[] header(Map<String, TensorData> sorted, Map<String, String> metadata) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject("__metadata__");
            new TreeMap<>(metadata).forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, TensorData> e : sorted.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                throw new IllegalArgumentException("__metadata__ is reserved and cannot name a tensor");
            }
            TensorData t = e.getValue();
            ObjectNode entry = root.putObject(e.getKey());
            entry.put("dtype", t.dtype().safetensorsName());
            var shape = entry.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            long end = offset + t.byteSize();
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) & ~7;
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static void writeData(FileChannel ch, ByteBuffer buf, TensorData t) throws IOException {
        float[] v = t.values();
        if (t.dtype() == DType.F32) {
            for (int i = 0; i < v.length; ) {
                int n = Math.min(buf.remaining() / 4, v.length - i);
                buf.asFloatBuffer().put(v, i, n);
                buf.position(buf.position() + 4 * n);
                i += n;
                flush(ch, buf);
            }
            return;
        }
        for (float f : v) {
            if (buf.remaining() < 4) {
                flush(ch, buf);
            }
            switch (t.dtype()) {
                case F32 -> buf.putFloat(f);
                case BF16 -> buf.putShort(TensorData.toBf16(f));
                case F16 -> buf.putShort(Float.floatToFloat16(f));
            }
        }
        flush(ch, buf);
    }

    private static void flush(FileChannel ch, ByteBuffer buf) throws IOException {
        buf.flip();
        AtomicFiles.writeFully(ch, buf);
        buf.clear();
    }
}
