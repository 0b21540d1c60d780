package dev.luthier.engine.weights;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A memory-mapped {@code .safetensors} file: 8-byte little-endian header length, a JSON header
 * ({@code name → {dtype, shape, data_offsets}} plus an optional {@code __metadata__} string map), then the
 * data section. Tensor slices stay valid until {@link #close()}.
 */
public final class SafetensorsFile implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ValueLayout.OfLong I64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** The reference implementation refuses headers above 100 MB; so do we, before allocating for one. */
    private static final long MAX_HEADER_BYTES = 100_000_000L;

    private final Path path;
    private final Arena arena;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, Arena arena, Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.path = path;
        this.arena = arena;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    public static SafetensorsFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new SafetensorsException(path + ": not a safetensors file: " + size
                        + " bytes, shorter than the 8-byte header length");
            }
            MemorySegment file = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long headerLen = file.get(I64_LE, 0);
            if (headerLen > MAX_HEADER_BYTES) {
                throw new SafetensorsException(path + ": header length " + Long.toUnsignedString(headerLen)
                        + " exceeds the " + MAX_HEADER_BYTES + "-byte limit; not a safetensors file?");
            }
            if (headerLen < 0 || headerLen > size - 8) {
                throw new SafetensorsException(path + ": header length " + Long.toUnsignedString(headerLen)
                        + " is beyond the file (" + size + " bytes); truncated or not a safetensors file");
            }
            String header = new String(file.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            MemorySegment data = file.asSlice(8 + headerLen);
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorInfo> tensors = parseHeader(path, header, data, metadata);
            return new SafetensorsFile(path, arena, tensors, Collections.unmodifiableMap(metadata));
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static Map<String, TensorInfo> parseHeader(Path path, String header, MemorySegment data,
                                                       Map<String, String> metadata) {
        JsonNode root;
        try {
            root = JSON.readTree(header);
        } catch (JsonProcessingException e) {
            throw new SafetensorsException(path + ": malformed JSON header: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsException(path + ": malformed header: expected a JSON object");
        }
        long dataSize = data.byteSize();
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            String name = field.getKey();
            JsonNode entry = field.getValue();
            if (name.equals("__metadata__")) {
                if (!entry.isObject()) {
                    throw new SafetensorsException(path + ": __metadata__ must be an object of strings");
                }
                entry.properties().forEach(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            String where = path + ": tensor " + name;
            JsonNode dtype = entry.get("dtype");
            JsonNode shapeNode = entry.get("shape");
            JsonNode offsets = entry.get("data_offsets");
            if (dtype == null || !dtype.isTextual() || shapeNode == null || !shapeNode.isArray()
                    || offsets == null || !offsets.isArray() || offsets.size() != 2
                    || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
                throw new SafetensorsException(where + ": malformed header entry " + entry
                        + " (expected {dtype, shape, data_offsets: [begin, end]})");
            }
            long[] shape = new long[shapeNode.size()];
            for (int i = 0; i < shape.length; i++) {
                JsonNode d = shapeNode.get(i);
                if (!d.canConvertToLong() || d.asLong() < 0) {
                    throw new SafetensorsException(where + ": malformed shape " + shapeNode);
                }
                shape[i] = d.asLong();
            }
            long begin = offsets.get(0).asLong();
            long end = offsets.get(1).asLong();
            if (begin < 0 || end < begin || end > dataSize) {
                throw new SafetensorsException(where + ": data_offsets [" + begin + ", " + end
                        + "] lie outside the data section (" + dataSize + " bytes); truncated file?");
            }
            long expected = byteSize(dtype.asText(), shape);
            if (expected >= 0 && expected != end - begin) {
                throw new SafetensorsException(where + ": data_offsets [" + begin + ", " + end + "] hold "
                        + (end - begin) + " bytes but " + dtype.asText() + " " + Arrays.toString(shape)
                        + " needs " + expected);
            }
            tensors.put(name, new TensorInfo(name, dtype.asText(), shape, data.asSlice(begin, end - begin), path));
        }
        return Collections.unmodifiableMap(tensors);
    }

    /** Bytes a tensor of this dtype and shape occupies, or -1 for a dtype this code does not know. */
    static long byteSize(String dtype, long[] shape) {
        int bits = switch (dtype) {
            case "BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0" -> 8;
            case "I16", "U16", "F16", "BF16" -> 16;
            case "I32", "U32", "F32" -> 32;
            case "I64", "U64", "F64", "C64" -> 64;
            case "F4" -> 4;
            case "F6_E2M3", "F6_E3M2" -> 6;
            default -> -1;
        };
        if (bits < 0) {
            return -1;
        }
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return Math.multiplyExact(n, bits) / 8;
    }

    public Path path() {
        return path;
    }

    /** All tensors, in header order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public List<String> names() {
        return new ArrayList<>(tensors.keySet());
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public Optional<TensorInfo> find(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    public TensorInfo get(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new SafetensorsException(path + ": no tensor named " + name);
        }
        return t;
    }

    @Override
    public void close() {
        arena.close();
    }
}
