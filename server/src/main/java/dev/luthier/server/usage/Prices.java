package dev.luthier.server.usage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.luthier.server.storage.usage.UsageKind;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Prices per million tokens, per base model and kind of token, read from a JSON file:
 * <pre>{"Qwen/Qwen3-0.6B": {"train": 0.40, "prefill": 0.10, "sample": 0.30}, "*": {"train": 1.0}}</pre>
 * {@code "*"} applies to models not listed. Kinds: {@code train}, {@code prefill} (also forward passes),
 * {@code cached_prefill} (prefix-cache hits; the prefill price when absent), {@code sample}. Costs are exact decimals.
 */
public final class Prices {
    public static final String ANY_MODEL = "*";
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    /** Price per million tokens of each kind, for one model. */
    private final Map<String, Map<UsageKind, BigDecimal>> perModel;

    private Prices(Map<String, Map<UsageKind, BigDecimal>> perModel) {
        this.perModel = perModel;
    }

    public static Prices none() {
        return new Prices(Map.of());
    }

    public static Prices read(Path file) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException("prices file " + file + " is not JSON: " + e.getOriginalMessage());
        }
        return parse(root, file.toString());
    }

    static Prices parse(JsonNode root, String where) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(where + ": expected an object of base model -> {kind: price per million tokens}");
        }
        Map<String, Map<UsageKind, BigDecimal>> out = new LinkedHashMap<>();
        for (var model : root.properties()) {
            if (!model.getValue().isObject()) {
                throw new IllegalArgumentException(where + ": prices of " + model.getKey() + " must be an object");
            }
            Map<UsageKind, BigDecimal> kinds = new LinkedHashMap<>();
            for (var kind : model.getValue().properties()) {
                JsonNode v = kind.getValue();
                if (!v.isNumber() || v.decimalValue().signum() < 0) {
                    throw new IllegalArgumentException(where + ": " + model.getKey() + "." + kind.getKey()
                            + " must be a non-negative number, got " + v);
                }
                kinds.put(kind(kind.getKey(), where + ": " + model.getKey()), v.decimalValue());
            }
            out.put(model.getKey(), kinds);
        }
        return new Prices(out);
    }

    /** The usage kind of a price key ({@code train}, {@code prefill}, {@code cached_prefill}, {@code sample}). */
    public static UsageKind kind(String key, String where) {
        return switch (key) {
            case "train", "training" -> UsageKind.TRAINING;
            case "prefill", "sampling_prefill" -> UsageKind.SAMPLING_PREFILL;
            case "cached_prefill", "sampling_prefill_cached" -> UsageKind.SAMPLING_PREFILL_CACHED;
            case "sample", "sampling_sample" -> UsageKind.SAMPLING_SAMPLE;
            default -> throw new IllegalArgumentException(where + ": unknown kind \"" + key
                    + "\" (expected train, prefill, cached_prefill or sample)");
        };
    }

    /** The price per million tokens of a kind on a model, if one is set. */
    public Optional<BigDecimal> perMillion(String baseModel, UsageKind kind) {
        Optional<BigDecimal> p = lookup(baseModel, kind);
        if (p.isEmpty() && kind == UsageKind.SAMPLING_PREFILL_CACHED) {
            p = lookup(baseModel, UsageKind.SAMPLING_PREFILL);
        }
        return p;
    }

    private Optional<BigDecimal> lookup(String baseModel, UsageKind kind) {
        Map<UsageKind, BigDecimal> m = perModel.containsKey(baseModel) ? perModel.get(baseModel) : perModel.get(ANY_MODEL);
        return m == null ? Optional.empty() : Optional.ofNullable(m.get(kind));
    }

    /** The cost of {@code tokens} tokens, or empty when no price applies. */
    public Optional<BigDecimal> cost(String baseModel, UsageKind kind, long tokens) {
        return perMillion(baseModel, kind).map(p -> p.multiply(BigDecimal.valueOf(tokens)).divide(MILLION, MathContext.DECIMAL64));
    }

    public boolean isEmpty() {
        return perModel.isEmpty();
    }
}
