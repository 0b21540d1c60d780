package dev.luthier.api.training;

import java.util.Set;

/**
 * The metric key rule of ForwardBackwardOutput: {@code "<name>:<reduction>"} with exactly one
 * colon. Keys with zero or two colons crash the SDK; keys with an unknown reduction are dropped.
 */
public final class MetricKeys {
  /** The reductions the SDK combines across chunks. */
  public static final Set<String> REDUCTIONS = Set.of("mean", "sum", "min", "max", "slack", "hash_unordered", "unique");

  private MetricKeys() {}

  /** Null when {@code key} has exactly one colon (the rule whose breach crashes the SDK). */
  public static String colonProblem(String key) {
    if (key == null) return "metric key is null";
    int colon = key.indexOf(':');
    if (colon < 0) return "metric key \"" + key + "\" has no ':' (expected name:reduction)";
    if (key.indexOf(':', colon + 1) >= 0) return "metric key \"" + key + "\" has more than one ':'";
    return null;
  }

  /** Null when {@code key} follows the rule and names a known reduction, else what is wrong with it. */
  public static String problem(String key) {
    String c = colonProblem(key);
    if (c != null) return c;
    int colon = key.indexOf(':');
    if (colon == 0) return "metric key \"" + key + "\" has an empty name";
    String reduction = key.substring(colon + 1);
    if (!REDUCTIONS.contains(reduction)) return "metric key \"" + key + "\" has unknown reduction \"" + reduction + "\" " + REDUCTIONS;
    return null;
  }

  /** {@code name + ":" + reduction}, checked. */
  public static String of(String name, String reduction) {
    String key = name + ":" + reduction;
    String p = problem(key);
    if (p != null) throw new IllegalArgumentException(p);
    return key;
  }
}
