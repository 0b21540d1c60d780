package dev.luthier.api.proto;

import dev.luthier.api.WireFormatException;
import dev.luthier.api.tensor.DType;
import dev.luthier.api.tensor.TensorData;
import dev.luthier.api.training.ForwardBackwardOutput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code tinker_public.ForwardBackwardOutput}:
 *
 * <pre>
 * ForwardBackwardOutput { string loss_fn_output_type = 1; repeated ArrayRecord loss_fn_outputs = 2;
 *   map&lt;string,double&gt; metrics = 3; }
 * ArrayRecord { string type_tag = 1; map&lt;string,BatchedTensor&gt; fields = 2; int64 num_datums = 3; }
 * BatchedTensor { bytes data = 1; bytes offsets = 2; DType dtype = 3; repeated int64 trailing_shape = 4; }
 * </pre>
 *
 * The server writes one ArrayRecord holding every datum. Per field, a BatchedTensor holds all
 * datums' values back to back (float32 or int64 LE), {@code offsets} the n+1 int64 byte offsets,
 * {@code trailing_shape} the shape without the leading dimension. The SDK takes each field's
 * dtype and trailing shape from the first record for every datum, so all datums must have the
 * same fields, and per field the same dtype and trailing shape; an output that breaks this cannot
 * be written in protobuf ({@link IllegalArgumentException}).
 */
final class ForwardBackwardOutputCodec {
  private ForwardBackwardOutputCodec() {}

  static byte[] encode(ForwardBackwardOutput output) {
    ProtoWriter w = new ProtoWriter().stringIfSet(1, output.lossFnOutputType());
    List<Map<String, TensorData>> outs = output.lossFnOutputs();
    if (!outs.isEmpty()) {
      ProtoWriter record = new ProtoWriter().stringIfSet(1, output.lossFnOutputType());
      Map<String, TensorData> first = outs.get(0);
      for (String name : first.keySet()) {
        record.mapStringMessage(2, name, batched(name, outs));
      }
      for (int i = 1; i < outs.size(); i++) {
        if (!outs.get(i).keySet().equals(first.keySet())) {
          throw new IllegalArgumentException("loss_fn_outputs[" + i + "] has fields " + outs.get(i).keySet()
              + " but loss_fn_outputs[0] has " + first.keySet() + "; protobuf needs the same fields in every datum");
        }
      }
      record.varintIfSet(3, outs.size());
      w.message(2, record);
    }
    for (Map.Entry<String, Double> m : output.metrics().entrySet()) w.mapStringDouble(3, m.getKey(), m.getValue());
    return w.toBytes();
  }

  private static ProtoWriter batched(String name, List<Map<String, TensorData>> outs) {
    TensorData first = outs.get(0).get(name);
    long[] trailing = first.shape().length == 0 ? new long[0] : Arrays.copyOfRange(first.shape(), 1, first.shape().length);
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    long[] offsets = new long[outs.size() + 1];
    for (int i = 0; i < outs.size(); i++) {
      TensorData t = outs.get(i).get(name);
      if (t == null) throw new IllegalArgumentException("loss_fn_outputs[" + i + "] has no field " + name);
      long[] tt = t.shape().length == 0 ? new long[0] : Arrays.copyOfRange(t.shape(), 1, t.shape().length);
      if (t.dtype() != first.dtype() || !Arrays.equals(tt, trailing)) {
        throw new IllegalArgumentException("loss_fn_outputs[" + i + "]." + name + " is " + t.dtype() + " " + Arrays.toString(t.shape())
            + " but loss_fn_outputs[0]." + name + " is " + first.dtype() + " " + Arrays.toString(first.shape())
            + "; protobuf needs one dtype and trailing shape per field");
      }
      data.writeBytes(t.dtype() == DType.FLOAT32 ? LittleEndian.of(t.floats()) : LittleEndian.of(t.longs()));
      offsets[i + 1] = data.size();
    }
    return new ProtoWriter()
        .bytes(1, data.toByteArray())
        .bytes(2, LittleEndian.of(offsets))
        .varintIfSet(3, first.dtype() == DType.FLOAT32 ? ProtoDType.FLOAT32 : ProtoDType.INT64)
        .packedInt64(4, trailing);
  }

  /**
   * The SDK's reading, for the Java client: concatenates records, widens int32/bf16. Each record's
   * own dtype and trailing shape apply to its datums (as newer SDKs read ragged multi-record
   * outputs; 0.25.0 applied the first record's to all).
   */
  static ForwardBackwardOutput decode(byte[] body) {
    return ProtoReader.decode(body, "ForwardBackwardOutput", ForwardBackwardOutputCodec::output);
  }

  private static ForwardBackwardOutput output(ProtoReader r) throws IOException {
    String type = "";
    Map<String, Double> metrics = new LinkedHashMap<>();
    Map<String, List<TensorData>> fields = new LinkedHashMap<>();
    long numDatums = 0;
    int records = 0;
    for (int f = r.next(); f != 0; f = r.next()) {
      if (f == 1 && r.isLen()) {
        type = r.in.readString();
      } else if (f == 2 && r.isLen()) {
        numDatums += r.message("loss_fn_outputs[" + records++ + "]", rec -> record(rec, fields));
      } else if (f == 3 && r.isLen()) {
        String[] key = {""};
        double[] value = {0};
        r.message("metrics", e -> {
          for (int g = e.next(); g != 0; g = e.next()) {
            if (g == 1 && e.isLen()) key[0] = e.in.readString();
            else if (g == 2 && e.isFixed64()) value[0] = e.in.readDouble();
            else e.skip();
          }
          return null;
        });
        metrics.put(key[0], value[0]);
      } else {
        r.skip();
      }
    }
    if (records == 0) {
      return new ForwardBackwardOutput(type.isEmpty() ? ForwardBackwardOutput.ARRAY_RECORD : type, List.of(), metrics);
    }
    if (numDatums == 0 && !fields.isEmpty()) numDatums = fields.values().iterator().next().size();
    List<Map<String, TensorData>> outs = new ArrayList<>();
    for (int i = 0; i < numDatums; i++) {
      Map<String, TensorData> datum = new LinkedHashMap<>();
      for (Map.Entry<String, List<TensorData>> e : fields.entrySet()) {
        if (i >= e.getValue().size()) {
          throw new WireFormatException("loss_fn_outputs", "field " + e.getKey() + " has " + e.getValue().size() + " datums, num_datums says " + numDatums);
        }
        datum.put(e.getKey(), e.getValue().get(i));
      }
      outs.add(datum);
    }
    int colon = type.lastIndexOf(':');
    return new ForwardBackwardOutput(type.substring(colon + 1), outs, metrics);
  }

  private static long record(ProtoReader r, Map<String, List<TensorData>> fields) throws IOException {
    long num = 0;
    for (int f = r.next(); f != 0; f = r.next()) {
      if (f == 2 && r.isLen()) {
        r.message("fields", e -> {
          String key = "";
          byte[] bt = null;
          for (int g = e.next(); g != 0; g = e.next()) {
            if (g == 1 && e.isLen()) key = e.in.readString();
            else if (g == 2 && e.isLen()) bt = e.in.readByteArray();
            else e.skip();
          }
          String name = key;
          ProtoReader b = ProtoReader.of(bt == null ? new byte[0] : bt);
          batchedInto(b, e.field(name), name, fields);
          return null;
        });
      } else if (f == 3 && r.isVarint()) {
        num = r.in.readInt64();
      } else {
        r.skip();
      }
    }
    return num;
  }

  private static void batchedInto(ProtoReader r, String path, String name, Map<String, List<TensorData>> fields) throws IOException {
    byte[] data = new byte[0];
    byte[] offsets = new byte[0];
    int dtype = ProtoDType.UNSPECIFIED;
    List<Long> trailing = ProtoReader.longList();
    for (int f = r.next(); f != 0; f = r.next()) {
      if (f == 1 && r.isLen()) data = r.in.readByteArray();
      else if (f == 2 && r.isLen()) offsets = r.in.readByteArray();
      else if (f == 3 && r.isVarint()) dtype = r.in.readEnum();
      else if (f == 4) r.int64s(trailing);
      else r.skip();
    }
    int size = ProtoDType.itemSize(dtype);
    if (size == 0) throw new WireFormatException(path + ".dtype", "unsupported " + ProtoDType.name(dtype));
    long[] offs = LittleEndian.int64s(offsets, path + ".offsets");
    Object all = switch (dtype) {
      case ProtoDType.FLOAT32 -> LittleEndian.float32s(data, path + ".data");
      case ProtoDType.BFLOAT16 -> LittleEndian.bfloat16s(data, path + ".data");
      case ProtoDType.INT64 -> LittleEndian.int64s(data, path + ".data");
      default -> Arrays.stream(LittleEndian.int32s(data, path + ".data")).asLongStream().toArray();
    };
    long[] trail = ProtoReader.toArray(trailing);
    long trailingElems = 1;
    for (long d : trail) trailingElems *= d;
    List<TensorData> perDatum = fields.computeIfAbsent(name, k -> new ArrayList<>());
    int total = all instanceof float[] fl ? fl.length : ((long[]) all).length;
    for (int i = 0; i + 1 < offs.length; i++) {
      long start = offs[i] / size;
      long end = offs[i + 1] / size;
      if (start < 0 || end < start || end > total) throw new WireFormatException(path + ".offsets", "offset out of range at " + i);
      int n = (int) (end - start);
      long[] shape = new long[trail.length + 1];
      shape[0] = trailingElems == 0 ? 0 : n / trailingElems;
      System.arraycopy(trail, 0, shape, 1, trail.length);
      try {
        perDatum.add(all instanceof float[] fl
            ? new TensorData(DType.FLOAT32, shape, Arrays.copyOfRange(fl, (int) start, (int) end), null)
            : new TensorData(DType.INT64, shape, null, Arrays.copyOfRange((long[]) all, (int) start, (int) end)));
      } catch (WireFormatException e) {
        throw new WireFormatException(path + ".trailing_shape", "datum " + i + " has " + n + " values, not a multiple of " + trailingElems);
      }
    }
  }
}
