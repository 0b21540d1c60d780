package dev.luthier.api.proto;

import dev.luthier.api.WireFormatException;
import dev.luthier.api.sampling.SampleResponse;
import dev.luthier.api.sampling.SampledSequence;
import dev.luthier.api.sampling.StopReason;
import dev.luthier.api.sampling.TokenLogprob;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code tinker_public.SampleResponse}:
 *
 * <pre>
 * SampleResponse { repeated SampledSequence sequences = 1; optional bytes prompt_logprobs = 2;
 *   optional TopkPromptLogprobs topk_prompt_logprobs = 3; int32 prompt_cache_hit_tokens = 4; }
 * SampledSequence { StopReason stop_reason = 1; bytes tokens = 2; optional bytes logprobs = 3; }
 * TopkPromptLogprobs { bytes token_ids = 1; bytes logprobs = 2; uint32 k = 3; uint32 prompt_length = 4; }
 * </pre>
 *
 * Tokens int32 LE, logprobs float32 LE; prompt logprobs float32 with NaN for missing positions.
 * Top-k: N×K row-major, an empty cell is (0, −99999.0); N = rows, K = the longest row (at least
 * 1, so that a list of only-null rows stays a list rather than vanishing: the SDK drops top-k
 * entirely when k or prompt_length is 0).
 */
final class SampleResponseCodec {
  /** The logprob of an empty top-k cell. */
  static final float EMPTY_LOGPROB = -99999.0f;

  private SampleResponseCodec() {}

  static byte[] encode(SampleResponse response) {
    ProtoWriter w = new ProtoWriter();
    for (SampledSequence s : response.sequences()) {
      ProtoWriter sw = new ProtoWriter()
          .varintIfSet(1, s.stopReason() == StopReason.LENGTH ? 1 : 0)
          .bytes(2, LittleEndian.of(s.tokens()));
      if (s.logprobs() != null) sw.bytes(3, LittleEndian.of(s.logprobs()));
      w.message(1, sw);
    }
    if (response.promptLogprobs() != null) w.bytes(2, LittleEndian.of(response.promptLogprobs()));
    List<List<TokenLogprob>> topk = response.topkPromptLogprobs();
    if (topk != null) {
      int n = topk.size();
      int k = 1;
      for (List<TokenLogprob> row : topk) if (row != null) k = Math.max(k, row.size());
      int[] ids = new int[n * k];
      float[] lps = new float[n * k];
      Arrays.fill(lps, EMPTY_LOGPROB);
      for (int i = 0; i < n; i++) {
        List<TokenLogprob> row = topk.get(i);
        if (row == null) continue;
        for (int j = 0; j < row.size(); j++) {
          ids[i * k + j] = row.get(j).token();
          lps[i * k + j] = row.get(j).logprob();
        }
      }
      w.message(3, new ProtoWriter()
          .bytes(1, LittleEndian.of(ids))
          .bytes(2, LittleEndian.of(lps))
          .varintIfSet(3, k)
          .varintIfSet(4, n));
    }
    w.varintIfSet(4, response.promptCacheHitTokens());
    return w.toBytes();
  }

  /** The SDK's reading, for the Java client. */
  static SampleResponse decode(byte[] body) {
    return ProtoReader.decode(body, "SampleResponse", SampleResponseCodec::response);
  }

  private static SampleResponse response(ProtoReader r) throws IOException {
    List<SampledSequence> sequences = new ArrayList<>();
    float[] prompt = null;
    List<List<TokenLogprob>> topk = null;
    int cacheHits = 0;
    for (int f = r.next(); f != 0; f = r.next()) {
      if (f == 1 && r.isLen()) {
        sequences.add(r.message("sequences[" + sequences.size() + "]", SampleResponseCodec::sequence));
      } else if (f == 2 && r.isLen()) {
        byte[] b = r.in.readByteArray();
        prompt = b.length == 0 ? null : LittleEndian.float32s(b, "prompt_logprobs");
      } else if (f == 3 && r.isLen()) {
        topk = r.message("topk_prompt_logprobs", SampleResponseCodec::topk);
      } else if (f == 4 && r.isVarint()) {
        cacheHits = r.in.readInt32();
      } else {
        r.skip();
      }
    }
    return new SampleResponse(sequences, prompt, topk, cacheHits);
  }

  private static SampledSequence sequence(ProtoReader r) throws IOException {
    int stop = 0;
    byte[] tokens = new byte[0];
    byte[] logprobs = null;
    for (int f = r.next(); f != 0; f = r.next()) {
      if (f == 1 && r.isVarint()) stop = r.in.readEnum();
      else if (f == 2 && r.isLen()) tokens = r.in.readByteArray();
      else if (f == 3 && r.isLen()) logprobs = r.in.readByteArray();
      else r.skip();
    }
    StopReason reason = switch (stop) {
      case 0 -> StopReason.STOP;
      case 1 -> StopReason.LENGTH;
      default -> throw new WireFormatException(r.field("stop_reason"), "unknown stop_reason " + stop);
    };
    float[] lp = logprobs == null || logprobs.length == 0 ? null : LittleEndian.float32s(logprobs, r.field("logprobs"));
    try {
      return new SampledSequence(reason, LittleEndian.int32s(tokens, r.field("tokens")), lp);
    } catch (WireFormatException e) {
      throw e.under(r.path);
    }
  }

  private static List<List<TokenLogprob>> topk(ProtoReader r) throws IOException {
    byte[] ids = new byte[0];
    byte[] lps = new byte[0];
    long k = 0;
    long n = 0;
    for (int f = r.next(); f != 0; f = r.next()) {
      if (f == 1 && r.isLen()) ids = r.in.readByteArray();
      else if (f == 2 && r.isLen()) lps = r.in.readByteArray();
      else if (f == 3 && r.isVarint()) k = r.in.readUInt32() & 0xffffffffL;
      else if (f == 4 && r.isVarint()) n = r.in.readUInt32() & 0xffffffffL;
      else r.skip();
    }
    if (n == 0 || k == 0) return null;
    int[] id = LittleEndian.int32s(ids, r.field("token_ids"));
    float[] lp = LittleEndian.float32s(lps, r.field("logprobs"));
    if (id.length != n * k || lp.length != n * k) {
      throw new WireFormatException(r.path, "expected " + n + "x" + k + " cells, got " + id.length + " ids and " + lp.length + " logprobs");
    }
    List<List<TokenLogprob>> rows = new ArrayList<>((int) n);
    for (int i = 0; i < n; i++) {
      int base = (int) (i * k);
      int len = (int) k;
      while (len > 0 && id[base + len - 1] == 0 && lp[base + len - 1] == EMPTY_LOGPROB) len--;
      if (len == 0 || (id[base] == 0 && lp[base] == EMPTY_LOGPROB)) {
        rows.add(null);
        continue;
      }
      List<TokenLogprob> row = new ArrayList<>(len);
      for (int j = 0; j < len; j++) row.add(new TokenLogprob(id[base + j], lp[base + j]));
      rows.add(row);
    }
    return rows;
  }
}
