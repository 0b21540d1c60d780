package dev.luthier.api.proto;

import dev.luthier.api.WireFormatException;
import dev.luthier.api.input.Datum;
import dev.luthier.api.input.DmelChunk;
import dev.luthier.api.input.EncodedTextChunk;
import dev.luthier.api.input.ImageAssetPointerChunk;
import dev.luthier.api.input.ImageChunk;
import dev.luthier.api.input.ModelInput;
import dev.luthier.api.input.ModelInputChunk;
import dev.luthier.api.tensor.DType;
import dev.luthier.api.tensor.SparseCsr;
import dev.luthier.api.tensor.TensorData;
import dev.luthier.api.training.ForwardBackwardInput;
import dev.luthier.api.training.ForwardBackwardRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code tinker_public.ForwardBackwardRequest}:
 *
 * <pre>
 * ForwardBackwardRequest { string model_id = 1; int32 seq_id = 2; repeated Datum data = 3;
 *   string loss_fn = 4; map&lt;string,double&gt; loss_fn_config = 5; bool forward_only = 6; }
 * Datum { repeated Chunk model_input = 1; map&lt;string,Tensor&gt; loss_fn_inputs = 2; }
 * Chunk { oneof chunk { EncodedTextChunk encoded_text = 1; ImageChunk image = 2; DmelChunk dmel = 3; } }
 * EncodedTextChunk { bytes tokens = 1; }   // int32 LE
 * ImageChunk { bytes data = 1; string format = 2; optional int32 expected_tokens = 3; }
 * DmelChunk { bytes dmel = 1; }
 * Tensor { oneof encoding { bytes dense = 1; SparseCsr sparse_csr = 2; } DType dtype = 3; repeated int64 shape = 4; }
 * SparseCsr { bytes values = 1; bytes crow_indices = 2; bytes col_indices = 3; }   // indices int64 LE
 * </pre>
 */
final class ForwardBackwardRequestCodec {
  private ForwardBackwardRequestCodec() {}

  static ForwardBackwardRequest decode(byte[] body) {
    return ProtoReader.decode(body, "ForwardBackwardRequest", ForwardBackwardRequestCodec::request);
  }

  private static ForwardBackwardRequest request(ProtoReader r) throws IOException {
    String modelId = "";
    int seqId = 0;
    List<Datum> data = new ArrayList<>();
    String lossFn = "";
    Map<String, Double> config = new LinkedHashMap<>();
    boolean forwardOnly = false;
    for (int f = r.next(); f != 0; f = r.next()) {
      switch (f) {
        case 1 -> { if (r.isLen()) modelId = r.in.readString(); else r.skip(); }
        case 2 -> { if (r.isVarint()) seqId = r.in.readInt32(); else r.skip(); }
        case 3 -> { if (r.isLen()) data.add(r.message("data[" + data.size() + "]", ForwardBackwardRequestCodec::datum)); else r.skip(); }
        case 4 -> { if (r.isLen()) lossFn = r.in.readString(); else r.skip(); }
        case 5 -> {
          if (r.isLen()) {
            Object[] kv = r.message("loss_fn_config", ForwardBackwardRequestCodec::stringDoubleEntry);
            String key = (String) kv[0];
            double v = (Double) kv[1];
            if (!Double.isFinite(v)) throw new WireFormatException("loss_fn_config." + key, "must be a finite number, got " + v);
            config.put(key, v);
          } else r.skip();
        }
        case 6 -> { if (r.isVarint()) forwardOnly = r.in.readBool(); else r.skip(); }
        default -> r.skip();
      }
    }
    if (modelId.isEmpty()) throw new WireFormatException("model_id", "required field is missing or empty");
    if (lossFn.isEmpty()) throw new WireFormatException("loss_fn", "required field is missing or empty");
    ForwardBackwardInput input = new ForwardBackwardInput(data, lossFn, config.isEmpty() ? null : config, forwardOnly);
    return new ForwardBackwardRequest(input, modelId, seqId);
  }

  private static Object[] stringDoubleEntry(ProtoReader r) throws IOException {
    String key = "";
    double value = 0;
    for (int f = r.next(); f != 0; f = r.next()) {
      if (f == 1 && r.isLen()) key = r.in.readString();
      else if (f == 2 && r.isFixed64()) value = r.in.readDouble();
      else r.skip();
    }
    return new Object[] {key, value};
  }

  private static Datum datum(ProtoReader r) throws IOException {
    List<ModelInputChunk> chunks = new ArrayList<>();
    Map<String, TensorData> inputs = new LinkedHashMap<>();
    for (int f = r.next(); f != 0; f = r.next()) {
      if (f == 1 && r.isLen()) {
        chunks.add(r.message("model_input[" + chunks.size() + "]", ForwardBackwardRequestCodec::chunk));
      } else if (f == 2 && r.isLen()) {
        Object[] kv = r.message("loss_fn_inputs", ForwardBackwardRequestCodec::tensorEntry);
        inputs.put((String) kv[0], (TensorData) kv[1]);
      } else {
        r.skip();
      }
    }
    try {
      return new Datum(new ModelInput(chunks), inputs);
    } catch (WireFormatException e) {
      throw e.under(r.path);
    }
  }

  private static ModelInputChunk chunk(ProtoReader r) throws IOException {
    ModelInputChunk chunk = null;
    for (int f = r.next(); f != 0; f = r.next()) {
      if (!r.isLen()) {
        r.skip();
        continue;
      }
      switch (f) {
        case 1 -> chunk = r.message("encoded_text", c -> {
          byte[] tokens = new byte[0];
          for (int g = c.next(); g != 0; g = c.next()) {
            if (g == 1 && c.isLen()) tokens = c.in.readByteArray();
            else c.skip();
          }
          return new EncodedTextChunk(LittleEndian.int32s(tokens, c.field("tokens")));
        });
        case 2 -> chunk = r.message("image", c -> {
          byte[] data = new byte[0];
          String format = "";
          Integer expected = null;
          for (int g = c.next(); g != 0; g = c.next()) {
            if (g == 1 && c.isLen()) data = c.in.readByteArray();
            else if (g == 2 && c.isLen()) format = c.in.readString();
            else if (g == 3 && c.isVarint()) expected = c.in.readInt32();
            else c.skip();
          }
          return new ImageChunk(data, format, expected);
        });
        case 3 -> chunk = r.message("dmel", c -> {
          byte[] dmel = new byte[0];
          for (int g = c.next(); g != 0; g = c.next()) {
            if (g == 1 && c.isLen()) dmel = c.in.readByteArray();
            else c.skip();
          }
          return new DmelChunk(dmel);
        });
        default -> r.skip();
      }
    }
    if (chunk == null) throw new WireFormatException(r.path, "chunk has none of encoded_text, image, dmel");
    return chunk;
  }

  private static Object[] tensorEntry(ProtoReader r) throws IOException {
    String key = "";
    byte[] tensor = null;
    for (int f = r.next(); f != 0; f = r.next()) {
      if (f == 1 && r.isLen()) key = r.in.readString();
      else if (f == 2 && r.isLen()) tensor = r.in.readByteArray();
      else r.skip();
    }
    String path = r.path + "." + key;
    ProtoReader t = ProtoReader.of(tensor == null ? new byte[0] : tensor);
    try {
      return new Object[] {key, tensor(t)};
    } catch (WireFormatException e) {
      throw e.under(path);
    }
  }

  private static TensorData tensor(ProtoReader r) throws IOException {
    byte[] dense = null;
    byte[][] csr = null;
    int dtype = ProtoDType.UNSPECIFIED;
    List<Long> shape = ProtoReader.longList();
    for (int f = r.next(); f != 0; f = r.next()) {
      switch (f) {
        case 1 -> {
          if (r.isLen()) {
            dense = r.in.readByteArray();
            csr = null;
          } else r.skip();
        }
        case 2 -> {
          if (r.isLen()) {
            csr = r.message("sparse_csr", c -> {
              byte[][] parts = {new byte[0], new byte[0], new byte[0]};
              for (int g = c.next(); g != 0; g = c.next()) {
                if (g >= 1 && g <= 3 && c.isLen()) parts[g - 1] = c.in.readByteArray();
                else c.skip();
              }
              return parts;
            });
            dense = null;
          } else r.skip();
        }
        case 3 -> { if (r.isVarint()) dtype = r.in.readEnum(); else r.skip(); }
        case 4 -> r.int64s(shape);
        default -> r.skip();
      }
    }
    long[] dims = ProtoReader.toArray(shape);
    DType publicType = switch (dtype) {
      case ProtoDType.FLOAT32, ProtoDType.BFLOAT16 -> DType.FLOAT32;
      case ProtoDType.INT64, ProtoDType.INT32 -> DType.INT64;
      default -> throw new WireFormatException("dtype", "expected DTYPE_FLOAT32 or DTYPE_INT64, got " + ProtoDType.name(dtype));
    };
    if (csr != null) {
      long[] crow = LittleEndian.int64s(csr[1], "sparse_csr.crow_indices");
      long[] col = LittleEndian.int64s(csr[2], "sparse_csr.col_indices");
      try {
        return publicType == DType.FLOAT32
            ? SparseCsr.densifyFloats(dims.length == 0 ? null : dims, finite(floats(csr[0], dtype, "sparse_csr.values"), "sparse_csr.values"), crow, col)
            : SparseCsr.densifyLongs(dims.length == 0 ? null : dims, longs(csr[0], dtype, "sparse_csr.values"), crow, col);
      } catch (WireFormatException e) {
        throw e.field().startsWith("sparse_") ? new WireFormatException(e.field().replace("sparse_crow_indices", "sparse_csr.crow_indices")
            .replace("sparse_col_indices", "sparse_csr.col_indices"), e.reason()) : e;
      }
    }
    byte[] bytes = dense == null ? new byte[0] : dense;
    if (publicType == DType.FLOAT32) {
      float[] v = finite(floats(bytes, dtype, "dense"), "dense");
      return new TensorData(DType.FLOAT32, dims.length == 0 ? new long[] {v.length} : dims, v, null);
    }
    long[] v = longs(bytes, dtype, "dense");
    return new TensorData(DType.INT64, dims.length == 0 ? new long[] {v.length} : dims, null, v);
  }

  private static float[] floats(byte[] b, int dtype, String field) {
    return dtype == ProtoDType.BFLOAT16 ? LittleEndian.bfloat16s(b, field) : LittleEndian.float32s(b, field);
  }

  private static long[] longs(byte[] b, int dtype, String field) {
    if (dtype == ProtoDType.INT64) return LittleEndian.int64s(b, field);
    int[] narrow = LittleEndian.int32s(b, field);
    long[] out = new long[narrow.length];
    for (int i = 0; i < out.length; i++) out[i] = narrow[i];
    return out;
  }

  private static float[] finite(float[] v, String field) {
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) throw new WireFormatException(field + "[" + i + "]", "value must be finite, got " + v[i]);
    }
    return v;
  }

  /** The SDK's direction, for the Java client: dense tensors only (TensorData is always dense). */
  static byte[] encode(ForwardBackwardRequest request) {
    ForwardBackwardInput in = request.input();
    ProtoWriter w = new ProtoWriter()
        .stringIfSet(1, request.modelId())
        .varintIfSet(2, request.seqId());
    for (Datum d : in.data()) {
      ProtoWriter dw = new ProtoWriter();
      for (ModelInputChunk c : d.modelInput().chunks()) {
        ProtoWriter cw = new ProtoWriter();
        switch (c) {
          case EncodedTextChunk t -> cw.message(1, new ProtoWriter().bytes(1, LittleEndian.of(t.tokens())));
          case ImageChunk i -> {
            ProtoWriter iw = new ProtoWriter().bytes(1, i.data()).stringIfSet(2, i.format());
            if (i.expectedTokens() != null) iw.varint(3, i.expectedTokens()); // optional: written even when 0
            cw.message(2, iw);
          }
          case DmelChunk m -> cw.message(3, new ProtoWriter().bytes(1, m.dmel()));
          case ImageAssetPointerChunk p ->
              throw new IllegalArgumentException("image_asset_pointer chunks have no protobuf form; send this request as JSON");
        }
        dw.message(1, cw);
      }
      for (Map.Entry<String, TensorData> e : d.lossFnInputs().entrySet()) {
        TensorData t = e.getValue();
        ProtoWriter tw = new ProtoWriter();
        if (t.dtype() == DType.FLOAT32) tw.bytes(1, LittleEndian.of(t.floats())).varintIfSet(3, ProtoDType.FLOAT32);
        else tw.bytes(1, LittleEndian.of(t.longs())).varintIfSet(3, ProtoDType.INT64);
        tw.packedInt64(4, t.shape());
        dw.mapStringMessage(2, e.getKey(), tw);
      }
      w.message(3, dw);
    }
    w.stringIfSet(4, in.lossFn());
    if (in.lossFnConfig() != null) in.lossFnConfig().forEach((k, v) -> w.mapStringDouble(5, k, v));
    w.varintIfSet(6, in.forwardOnly() ? 1 : 0);
    return w.toBytes();
  }
}
