package dev.luthier.api.ids;

import dev.luthier.api.WireFormatException;

/**
 * A checkpoint address, {@code tinker://<training_run_id>/<weights|sampler_weights>/<name>}:
 * exactly three '/'-separated parts after the scheme, as the SDK's parser requires. The run id
 * may contain ':' ({@code "<uuid>:train:0"}). The REST {@code checkpoint_id} is {@code
 * "<kind>/<name>"}.
 *
 * <p>Names are checked beyond the SDK's rule because the server stores them as file names: not
 * empty, not "." or "..", no '\', no control characters.
 */
public record TinkerPath(String runId, CheckpointKind kind, String name) {
  public static final String SCHEME = "tinker://";

  public TinkerPath {
    if (runId == null || runId.isEmpty()) throw new WireFormatException("tinker_path", "training run id is empty");
    if (runId.indexOf('/') >= 0) throw new WireFormatException("tinker_path", "training run id must not contain '/'");
    if (kind == null) throw new WireFormatException("tinker_path", "checkpoint kind is missing");
    checkName(name, "tinker_path");
  }

  /** Parses a path; a {@link WireFormatException} (field {@code tinker_path}) says what is wrong. */
  public static TinkerPath parse(String path) {
    return parse(path, "tinker_path");
  }

  /** Parses a path, naming {@code field} in errors (for example {@code model_path}). */
  public static TinkerPath parse(String path, String field) {
    if (path == null) throw new WireFormatException(field, "required field is missing or null");
    if (!path.startsWith(SCHEME)) {
      throw new WireFormatException(field, "\"" + path + "\" is not a tinker path (expected tinker://<run_id>/weights/<name> or tinker://<run_id>/sampler_weights/<name>)");
    }
    String[] parts = path.substring(SCHEME.length()).split("/", -1);
    if (parts.length != 3) {
      throw new WireFormatException(field, "\"" + path + "\" must have exactly three parts after tinker:// (run id, kind, name), found " + parts.length);
    }
    CheckpointKind kind = CheckpointKind.ofSegment(parts[1]);
    if (kind == null) {
      throw new WireFormatException(field, "\"" + path + "\" has checkpoint kind \"" + parts[1] + "\", expected weights or sampler_weights");
    }
    try {
      return new TinkerPath(parts[0], kind, parts[2]);
    } catch (WireFormatException e) {
      throw new WireFormatException(field, "\"" + path + "\": " + e.reason());
    }
  }

  /** Parses a REST checkpoint id {@code "<kind>/<name>"} of run {@code runId}. */
  public static TinkerPath ofCheckpointId(String runId, String checkpointId) {
    if (checkpointId == null) throw new WireFormatException("checkpoint_id", "required field is missing or null");
    int slash = checkpointId.indexOf('/');
    CheckpointKind kind = slash < 0 ? null : CheckpointKind.ofSegment(checkpointId.substring(0, slash));
    if (kind == null) {
      throw new WireFormatException("checkpoint_id", "\"" + checkpointId + "\" must be weights/<name> or sampler_weights/<name>");
    }
    try {
      return new TinkerPath(runId, kind, checkpointId.substring(slash + 1));
    } catch (WireFormatException e) {
      throw new WireFormatException("checkpoint_id", "\"" + checkpointId + "\": " + e.reason());
    }
  }

  /** Checks a checkpoint name as a save request gives it. */
  public static String checkName(String name, String field) {
    if (name == null || name.isEmpty()) throw new WireFormatException(field, "checkpoint name is empty");
    if (name.equals(".") || name.equals("..")) throw new WireFormatException(field, "checkpoint name must not be \"" + name + "\"");
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '/' || c == '\\') throw new WireFormatException(field, "checkpoint name must not contain '" + c + "'");
      if (c < 0x20 || c == 0x7f) throw new WireFormatException(field, "checkpoint name must not contain control characters");
    }
    return name;
  }

  /** {@code "<kind>/<name>"}, the REST checkpoint id. */
  public String checkpointId() {
    return kind.pathSegment() + "/" + name;
  }

  /** {@code "training"} or {@code "sampler"}. */
  public String checkpointType() {
    return kind.checkpointType();
  }

  @Override
  public String toString() {
    return SCHEME + runId + "/" + kind.pathSegment() + "/" + name;
  }
}
