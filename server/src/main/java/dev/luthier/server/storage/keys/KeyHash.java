package dev.luthier.server.storage.keys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The stored form of an API key: lower-case hex SHA-256 of its UTF-8 bytes. Keys are long random strings, so a
 * plain digest is enough (no salt or slow hash is needed to resist guessing), and it allows lookup by hash.
 */
public final class KeyHash {
    private KeyHash() {
    }

    public static String of(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
