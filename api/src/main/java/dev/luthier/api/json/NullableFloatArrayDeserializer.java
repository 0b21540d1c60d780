package dev.luthier.api.json;

/**
 * Reads a float array whose null elements mean "no value" as NaN: {@code prompt_logprobs}, whose
 * first element is always null. Writing needs nothing special: NaN is written as null everywhere.
 */
public final class NullableFloatArrayDeserializer extends FiniteNumbers.FloatArrayDeser {
  public NullableFloatArrayDeserializer() {
    super(true);
  }
}
