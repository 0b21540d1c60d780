package dev.luthier.server.training;

/** Where a save landed: a {@code tinker://} path (named saves) and/or a sampling session id (unnamed sampler saves). */
public record SaveResult(String path, String samplingSessionId) {
}
