package dev.luthier.engine.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The weights of a model directory, looked up by tensor name across shards: {@code model.safetensors}, or the
 * shards that {@code model.safetensors.index.json} lists, or else every {@code *.safetensors} file there.
 */
public final class ModelWeights implements AutoCloseable {

    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Path dir;
    private final List<SafetensorsFile> files;
    private final Map<String, TensorInfo> tensors;

    private ModelWeights(Path dir, List<SafetensorsFile> files, Map<String, TensorInfo> tensors) {
        this.dir = dir;
        this.files = files;
        this.tensors = tensors;
    }

    public static ModelWeights open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new SafetensorsException("model directory " + dir + " does not exist");
        }
        Path index = dir.resolve(INDEX_FILE);
        if (Files.isRegularFile(index)) {
            return openIndexed(dir, index);
        }
        Path single = dir.resolve(SINGLE_FILE);
        if (Files.isRegularFile(single)) {
            return openFiles(dir, List.of(single));
        }
        List<Path> all = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.safetensors")) {
            ds.forEach(all::add);
        }
        if (all.isEmpty()) {
            throw new SafetensorsException("no weights in " + dir + " (expected " + SINGLE_FILE + ", "
                    + INDEX_FILE + " or *.safetensors files)");
        }
        Collections.sort(all);
        return openFiles(dir, all);
    }

    private static ModelWeights openFiles(Path dir, List<Path> paths) throws IOException {
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            for (Path p : paths) {
                SafetensorsFile f = SafetensorsFile.open(p);
                opened.add(f);
                for (TensorInfo t : f.tensors().values()) {
                    TensorInfo prev = tensors.putIfAbsent(t.name(), t);
                    if (prev != null) {
                        throw new SafetensorsException("tensor " + t.name() + " appears in both " + prev.file()
                                + " and " + t.file());
                    }
                }
            }
            return new ModelWeights(dir, List.copyOf(opened), Collections.unmodifiableMap(tensors));
        } catch (IOException | RuntimeException e) {
            opened.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static ModelWeights openIndexed(Path dir, Path index) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(index.toFile());
        } catch (IOException e) {
            throw new SafetensorsException(index + ": malformed JSON: " + e.getMessage(), e);
        }
        JsonNode weightMap = root == null ? null : root.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw new SafetensorsException(index + ": no \"weight_map\" object");
        }
        Map<String, String> nameToShard = new TreeMap<>();
        weightMap.properties().forEach(e -> nameToShard.put(e.getKey(), e.getValue().asText()));
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        try {
            for (String shard : new TreeSet<>(nameToShard.values())) {
                Path p = dir.resolve(shard);
                if (!Files.isRegularFile(p)) {
                    throw new SafetensorsException(index + " names shard " + shard + ", which is missing from " + dir);
                }
                shards.put(shard, SafetensorsFile.open(p));
            }
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : nameToShard.entrySet()) {
                SafetensorsFile f = shards.get(e.getValue());
                TensorInfo t = f.tensors().get(e.getKey());
                if (t == null) {
                    throw new SafetensorsException(index + " places tensor " + e.getKey() + " in " + f.path()
                            + ", which does not contain it");
                }
                tensors.put(e.getKey(), t);
            }
            return new ModelWeights(dir, List.copyOf(shards.values()), Collections.unmodifiableMap(tensors));
        } catch (IOException | RuntimeException e) {
            shards.values().forEach(SafetensorsFile::close);
            throw e;
        }
    }

    public Path dir() {
        return dir;
    }

    public Set<String> names() {
        return tensors.keySet();
    }

    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public Optional<TensorInfo> find(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    public TensorInfo get(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new SafetensorsException("missing tensor " + name + " in " + dir);
        }
        return t;
    }

    /** The tensor, checked to have exactly {@code expectedShape}. */
    public TensorInfo require(String name, long... expectedShape) {
        TensorInfo t = get(name);
        if (!t.hasShape(expectedShape)) {
            throw new SafetensorsException("tensor " + name + " in " + t.file() + " has shape "
                    + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(expectedShape));
        }
        return t;
    }

    /** The tensor's values as float, checked to have {@code expectedShape}. */
    public float[] floats(String name, long... expectedShape) {
        return require(name, expectedShape).toFloatArray();
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
