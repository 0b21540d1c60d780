package dev.luthier.cookbook.config;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Applies {@code key=value} overrides (as typed on a recipe's command line) to a recipe's config record, the way
 * the Python cookbook's {@code chz} configs take {@code key=value} arguments. Keys are the record's component names;
 * values are parsed to the component's type (numbers, booleans, strings, paths, enums, and {@code Optional} of
 * those, where {@code none} means empty). An unknown key or an unparsable value is an error that names the valid keys.
 */
public final class ConfigOverrides {
    private ConfigOverrides() {
    }

    /** Splits {@code key=value} arguments; anything without {@code =} is an error. */
    public static Map<String, String> parse(List<String> args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got '" + arg + "'");
            }
            out.put(arg.substring(0, eq).trim(), arg.substring(eq + 1).trim());
        }
        return out;
    }

    /** A copy of {@code config} with the overrides applied. */
    public static <T extends Record> T apply(T config, Map<String, String> overrides) {
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) config.getClass();
        RecordComponent[] components = type.getRecordComponents();
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < components.length; i++) {
            index.put(components[i].getName(), i);
        }
        Object[] values = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            try {
                components[i].getAccessor().setAccessible(true);
                values[i] = components[i].getAccessor().invoke(config);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        for (var entry : overrides.entrySet()) {
            Integer i = index.get(entry.getKey());
            if (i == null) {
                throw new IllegalArgumentException("unknown setting '" + entry.getKey() + "' for " + type.getSimpleName()
                        + "; valid settings: " + String.join(", ", index.keySet()));
            }
            RecordComponent c = components[i];
            values[i] = parseValue(entry.getKey(), entry.getValue(), c.getType(), c.getGenericType());
        }
        try {
            Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
            Constructor<T> ctor = type.getDeclaredConstructor(types);
            ctor.setAccessible(true);
            return ctor.newInstance(values);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalArgumentException("invalid " + type.getSimpleName() + ": " + e.getCause().getMessage(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The settings of a config record and their current values, in declaration order (for {@code config.json}). */
    public static Map<String, Object> describe(Record config) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (RecordComponent c : config.getClass().getRecordComponents()) {
            try {
                c.getAccessor().setAccessible(true);
                Object v = c.getAccessor().invoke(config);
                out.put(c.getName(), v instanceof Optional<?> o ? o.orElse(null) : v instanceof Path p ? p.toString()
                        : v instanceof Enum<?> en ? en.name().toLowerCase() : v);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    private static Object parseValue(String key, String raw, Class<?> type, java.lang.reflect.Type generic) {
        try {
            if (type == Optional.class) {
                if (raw.equalsIgnoreCase("none") || raw.isEmpty()) {
                    return Optional.empty();
                }
                var arg = ((java.lang.reflect.ParameterizedType) generic).getActualTypeArguments()[0];
                return Optional.of(parseValue(key, raw, (Class<?>) arg, arg));
            }
            if (type == String.class) {
                return raw;
            }
            if (type == int.class || type == Integer.class) {
                return Integer.parseInt(raw.replace("_", ""));
            }
            if (type == long.class || type == Long.class) {
                return Long.parseLong(raw.replace("_", ""));
            }
            if (type == double.class || type == Double.class) {
                return Double.parseDouble(raw);
            }
            if (type == float.class || type == Float.class) {
                return Float.parseFloat(raw);
            }
            if (type == boolean.class || type == Boolean.class) {
                return switch (raw.toLowerCase()) {
                    case "true", "1", "yes" -> true;
                    case "false", "0", "no" -> false;
                    default -> throw new IllegalArgumentException("not a boolean");
                };
            }
            if (type == Path.class) {
                return Path.of(raw);
            }
            if (type.isEnum()) {
                List<String> names = new ArrayList<>();
                for (Object constant : type.getEnumConstants()) {
                    String name = ((Enum<?>) constant).name();
                    names.add(name.toLowerCase());
                    if (name.equalsIgnoreCase(raw.replace('-', '_'))) {
                        return constant;
                    }
                }
                throw new IllegalArgumentException("expected one of " + names);
            }
        } catch (IllegalArgumentException e) {
            String why = e instanceof NumberFormatException ? "not a " + type.getSimpleName() : e.getMessage();
            throw new IllegalArgumentException("setting '" + key + "': cannot use '" + raw + "' (" + why + ")", e);
        }
        throw new IllegalArgumentException("setting '" + key + "' has type " + type.getSimpleName()
                + ", which cannot be set from the command line");
    }

    /** {@code a=1 b=x} for logs. */
    public static String format(Map<String, String> overrides) {
        return overrides.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }
}
