package dev.luthier.api.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
import dev.luthier.api.WireFormatException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ContentEncodingTest {

  @Test
  void zstdRoundTrip() {
    byte[] body = new byte[200_000];
    new Random(1).nextBytes(body);
    Arrays.fill(body, 1000, 150_000, (byte) 7);
    byte[] compressed = Zstd.compress(body, 3);
    assertThat(compressed.length).isLessThan(body.length);
    assertThat(ContentEncoding.decode(compressed, "zstd", ContentEncoding.DEFAULT_MAX_BYTES)).isEqualTo(body);
    assertThat(ContentEncoding.decode(compressed, " ZSTD ", 1 << 20)).isEqualTo(body);
  }

  @Test
  void concatenatedFramesDecodeAsOne() {
    byte[] a = Zstd.compress("hello ".getBytes(StandardCharsets.UTF_8));
    byte[] b = Zstd.compress("world".getBytes(StandardCharsets.UTF_8));
    byte[] both = new byte[a.length + b.length];
    System.arraycopy(a, 0, both, 0, a.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    assertThat(new String(ContentEncoding.zstd(both, 100), StandardCharsets.UTF_8)).isEqualTo("hello world");
  }

  @Test
  void identityAndAbsentPassThrough() {
    byte[] body = {1, 2, 3};
    assertThat(ContentEncoding.decode(body, null, 10)).isSameAs(body);
    assertThat(ContentEncoding.decode(body, "identity", 10)).isSameAs(body);
    assertThat(ContentEncoding.decode(body, "", 10)).isSameAs(body);
  }

  @Test
  void refusesZipBombs() {
    byte[] zeros = new byte[10_000_000];
    byte[] bomb = Zstd.compress(zeros, 19);
    assertThat(bomb.length).isLessThan(2_000);
    assertThatThrownBy(() -> ContentEncoding.decode(bomb, "zstd", 1_000_000))
        .isInstanceOf(ContentEncoding.TooLargeException.class)
        .hasMessageContaining("exceeds the limit of 1000000 bytes");
    assertThat(ContentEncoding.decode(bomb, "zstd", 10_000_000)).hasSize(10_000_000);
  }

  @Test
  void refusesCorruptAndUnknown() {
    byte[] good = Zstd.compress("some body some body some body".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> ContentEncoding.decode(new byte[] {1, 2, 3, 4, 5}, "zstd", 100))
        .isInstanceOf(WireFormatException.class).hasMessageContaining("corrupt zstd");
    assertThatThrownBy(() -> ContentEncoding.decode(Arrays.copyOf(good, good.length - 3), "zstd", 100))
        .isInstanceOf(WireFormatException.class);
    assertThatThrownBy(() -> ContentEncoding.decode(new byte[0], "zstd", 100)).isInstanceOf(WireFormatException.class);
    assertThatThrownBy(() -> ContentEncoding.decode(good, "gzip", 100))
        .isInstanceOf(WireFormatException.class).hasMessageContaining("unsupported content encoding");
    assertThat(ContentEncoding.isUnsupported("br")).isTrue();
    assertThat(ContentEncoding.isUnsupported("zstd")).isFalse();
    assertThat(ContentEncoding.isUnsupported(null)).isFalse();
  }

  @Test
  void compressedProtoBodyDecodes() throws Exception {
    byte[] proto = dev.luthier.api.proto.ForwardBackwardRequestProtoTest.specExample();
    byte[] zst = Zstd.compress(proto);
    var r = dev.luthier.api.proto.WireProto.decodeForwardBackwardRequest(ContentEncoding.decode(zst, "zstd", 1 << 20));
    assertThat(r.modelId()).isEqualTo("S:train:0");
  }
}
