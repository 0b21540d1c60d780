package dev.luthier.engine.weights;

import dev.luthier.engine.tensor.DType;
import dev.luthier.engine.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafetensorsFileTest {

    @TempDir
    Path tmp;

    /** A file with the given header text followed by {@code dataBytes} zero bytes. */
    private Path raw(String name, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path p = tmp.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    @Test
    void readsStories260K() throws IOException {
        Path path = SharedData.require("models/stories260K/model.safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(path)) {
            TensorInfo emb = f.get("model.embed_tokens.weight");
            assertThat(emb.dtype()).isEqualTo(DType.F32);
            assertThat(emb.shape()).containsExactly(512, 64);
            float[] v = emb.toFloatArray();
            assertThat(v).hasSize(512 * 64);
            assertThat(f.find("lm_head.weight")).isEmpty();
            assertThat(f.tensors()).containsKey("model.layers.4.mlp.down_proj.weight");
        }
    }

    @Test
    void roundTripsF32Bf16AndMetadata() throws IOException {
        float[] a = {1f, -2.5f, 3.25f, 0f, Float.MIN_NORMAL, 1e30f};
        float[] b = {1f, 1.00390625f, -3f, 65504f};
        Map<String, TensorData> m = new LinkedHashMap<>();
        m.put("z.last", TensorData.f32(a, 2, 3));
        m.put("a.first", TensorData.bf16(b, 4));
        m.put("scalar", TensorData.f32(new float[] {7f}));
        Path p = tmp.resolve("rt.safetensors");
        SafetensorsWriter.write(p, m, Map.of("format", "pt"));

        byte[] bytes = Files.readAllBytes(p);
        long headerLen = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(headerLen % 8).isZero();
        String header = new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8);
        assertThat(header.indexOf("a.first")).isLessThan(header.indexOf("scalar"));
        assertThat(header.indexOf("scalar")).isLessThan(header.indexOf("z.last"));
        assertThat(header).startsWith("{\"__metadata__\":{\"format\":\"pt\"}");

        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertThat(f.metadata()).containsEntry("format", "pt");
            assertThat(f.names()).containsExactly("a.first", "scalar", "z.last");
            assertThat(f.get("z.last").toFloatArray()).containsExactly(a);
            assertThat(f.get("z.last").shape()).containsExactly(2, 3);
            assertThat(f.get("a.first").dtype()).isEqualTo(DType.BF16);
            assertThat(f.get("a.first").toFloatArray()).containsExactly(1f, 1f, -3f, 65536f);
            assertThat(f.get("scalar").shape()).isEmpty();
            assertThat(f.get("scalar").toFloatArray()).containsExactly(7f);
        }
        assertThat(Files.list(tmp).map(x -> x.getFileName().toString())).containsExactly("rt.safetensors");
    }

    @Test
    void bf16RoundsToNearestEven() {
        assertThat(TensorData.toBf16(1.00390625f)).isEqualTo((short) 0x3F80); // tie → even
        assertThat(TensorData.toBf16(1.01171875f)).isEqualTo((short) 0x3F82); // tie → even (up)
        assertThat(TensorData.toBf16(-2f)).isEqualTo((short) 0xC000);
        assertThat(Float.isNaN(Float.intBitsToFloat(TensorData.toBf16(Float.NaN) << 16))).isTrue();
    }

    @Test
    void readsF16() throws IOException {
        // header for one F16 tensor of 2 elements: 1.0 (0x3C00), -0.5 (0xB800)
        byte[] h = "{\"x\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}".getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).putShort((short) 0x3C00).putShort((short) 0xB800);
        Path p = tmp.resolve("f16.safetensors");
        Files.write(p, b.array());
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertThat(f.get("x").toFloatArray()).containsExactly(1f, -0.5f);
        }
    }

    @Test
    void unsupportedDtypeParsesButRefusesData() throws IOException {
        Path p = raw("i64.safetensors", "{\"ids\":{\"dtype\":\"I64\",\"shape\":[3],\"data_offsets\":[0,24]}}", 24);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            TensorInfo t = f.get("ids");
            assertThat(t.dtypeName()).isEqualTo("I64");
            assertThat(t.shape()).containsExactly(3);
            assertThatThrownBy(t::toFloatArray).hasMessageContaining(p.toString()).hasMessageContaining("ids")
                    .hasMessageContaining("I64");
            assertThatThrownBy(t::bytes).hasMessageContaining("ids");
        }
    }

    @Test
    void errorsNameTheFile() throws IOException {
        Path tiny = tmp.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> SafetensorsFile.open(tiny)).isInstanceOf(SafetensorsException.class)
                .hasMessageContaining(tiny.toString()).hasMessageContaining("shorter than");

        Path longHeader = tmp.resolve("long.safetensors");
        Files.write(longHeader, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
        assertThatThrownBy(() -> SafetensorsFile.open(longHeader)).hasMessageContaining(longHeader.toString())
                .hasMessageContaining("header length 1000");

        Path bad = raw("bad.safetensors", "{\"x\": [1, 2", 0);
        assertThatThrownBy(() -> SafetensorsFile.open(bad)).hasMessageContaining(bad.toString())
                .hasMessageContaining("malformed JSON");

        Path outside = raw("outside.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8);
        assertThatThrownBy(() -> SafetensorsFile.open(outside)).hasMessageContaining(outside.toString())
                .hasMessageContaining("tensor w").hasMessageContaining("outside the data section");

        Path mismatch = raw("mismatch.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", 16);
        assertThatThrownBy(() -> SafetensorsFile.open(mismatch)).hasMessageContaining(mismatch.toString())
                .hasMessageContaining("tensor w").hasMessageContaining("needs 12");
    }

    @Test
    void truncatedRealFileIsReported() throws IOException {
        Path src = SharedData.require("models/stories260K/model.safetensors");
        byte[] all = Files.readAllBytes(src);
        Path cut = tmp.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(all, all.length - 100));
        assertThatThrownBy(() -> SafetensorsFile.open(cut)).hasMessageContaining(cut.toString())
                .hasMessageContaining("truncated");
    }
}
