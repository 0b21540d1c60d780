package dev.luthier.api.compress;

import com.github.luben.zstd.ZstdInputStream;
import dev.luthier.api.WireFormatException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/**
 * Undoes a request's {@code Content-Encoding}. The SDK uses only {@code zstd} (a standard frame
 * from {@code zstandard.ZstdCompressor().compress}), on the protobuf forward_backward body, and
 * only when {@code /client/config} sets {@code proto_compress_fwdbwd}. Decompression stops at a
 * size limit, so a small body cannot expand into a zip bomb.
 */
public final class ContentEncoding {
  /** A default limit for decompressed bodies: 1 GiB. */
  public static final long DEFAULT_MAX_BYTES = 1L << 30;

  private ContentEncoding() {}

  /**
   * The decoded body: unchanged for no encoding or {@code identity}, decompressed for {@code
   * zstd}. Any other encoding, a corrupt frame, or output beyond {@code maxBytes} is a {@link
   * WireFormatException} (the server answers 400, or 415/413 if it distinguishes them by {@link
   * #isUnsupported} and {@link TooLargeException}).
   */
  public static byte[] decode(byte[] body, String contentEncoding, long maxBytes) {
    if (contentEncoding == null) return body;
    String enc = contentEncoding.trim().toLowerCase(Locale.ROOT);
    if (enc.isEmpty() || enc.equals("identity")) return body;
    if (enc.equals("zstd")) return zstd(body, maxBytes);
    throw new WireFormatException("Content-Encoding", "unsupported content encoding \"" + contentEncoding + "\" (only zstd)");
  }

  /** True when {@code contentEncoding} is one {@link #decode} refuses. */
  public static boolean isUnsupported(String contentEncoding) {
    if (contentEncoding == null) return false;
    String enc = contentEncoding.trim().toLowerCase(Locale.ROOT);
    return !(enc.isEmpty() || enc.equals("identity") || enc.equals("zstd"));
  }

  /** Decompresses one or more concatenated zstd frames, refusing output beyond {@code maxBytes}. */
  public static byte[] zstd(byte[] body, long maxBytes) {
    if (body == null || body.length == 0) throw new WireFormatException("body", "empty zstd body");
    try (InputStream in = new ZstdInputStream(new ByteArrayInputStream(body))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, (int) Math.min(maxBytes, body.length * 4L)));
      byte[] buf = new byte[64 * 1024];
      long total = 0;
      for (int n; (n = in.read(buf)) > 0; ) {
        total += n;
        if (total > maxBytes) throw new TooLargeException(maxBytes);
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new WireFormatException("body", "corrupt zstd body: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      if (e instanceof WireFormatException w) throw w;
      throw new WireFormatException("body", "corrupt zstd body: " + e.getMessage(), e);
    }
  }

  /** The decompressed body would exceed the limit (HTTP 413). */
  public static final class TooLargeException extends WireFormatException {
    public TooLargeException(long maxBytes) {
      super("body", "decompressed body exceeds the limit of " + maxBytes + " bytes");
    }
  }
}
