package dev.luthier.server.checkpoints;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Expiring signed links to checkpoint archives, served by the server itself: the token carries the checkpoint's
 * {@code tinker://} path and an expiry, signed with HMAC-SHA256 under a secret kept in the data directory (so links
 * survive a restart). A link is its own authorisation; anyone holding it can download until it expires.
 */
public final class ArchiveLinks {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private final byte[] secret;

    public ArchiveLinks(byte[] secret) {
        this.secret = secret.clone();
    }

    /** The secret in {@code dir/archive-link.key}, created on first use. */
    public static ArchiveLinks fromDataDir(Path dir) throws IOException {
        Path file = dir.resolve("archive-link.key");
        if (!Files.exists(file)) {
            byte[] s = new byte[32];
            new SecureRandom().nextBytes(s);
            Files.write(file, s);
        }
        return new ArchiveLinks(Files.readAllBytes(file));
    }

    public String token(String tinkerPath, Instant expires) {
        String payload = B64.encodeToString((tinkerPath + "|" + expires.getEpochSecond()).getBytes(StandardCharsets.UTF_8));
        return payload + "." + B64.encodeToString(mac(payload));
    }

    /** The checkpoint path of a valid, unexpired token. */
    public Optional<String> verify(String token, Instant now) {
        int dot = token.indexOf('.');
        if (dot <= 0) {
            return Optional.empty();
        }
        String payload = token.substring(0, dot);
        byte[] sig;
        String decoded;
        try {
            sig = B64D.decode(token.substring(dot + 1));
            decoded = new String(B64D.decode(payload), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!MessageDigest.isEqual(sig, mac(payload))) {
            return Optional.empty();
        }
        int bar = decoded.lastIndexOf('|');
        if (bar <= 0) {
            return Optional.empty();
        }
        long expires;
        try {
            expires = Long.parseLong(decoded.substring(bar + 1));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (now.getEpochSecond() > expires) {
            return Optional.empty();
        }
        return Optional.of(decoded.substring(0, bar));
    }

    private byte[] mac(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
