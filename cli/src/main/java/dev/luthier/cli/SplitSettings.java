package dev.luthier.cli;

import dev.luthier.cookbook.config.ConfigOverrides;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code key=value} arguments shared out between two settings records by their component names. */
record SplitSettings(Map<String, String> first, Map<String, String> second) {

    static SplitSettings of(List<String> args, Record first, Record second) {
        Set<String> a = ConfigOverrides.describe(first).keySet();
        Set<String> b = ConfigOverrides.describe(second).keySet();
        Map<String, String> x = new LinkedHashMap<>();
        Map<String, String> y = new LinkedHashMap<>();
        ConfigOverrides.parse(args).forEach((k, v) -> {
            if (a.contains(k)) {
                x.put(k, v);
            } else if (b.contains(k)) {
                y.put(k, v);
            } else {
                List<String> valid = new ArrayList<>(a);
                valid.addAll(b);
                throw new IllegalArgumentException("unknown setting '" + k + "'; valid settings: " + String.join(", ", valid));
            }
        });
        return new SplitSettings(x, y);
    }
}
