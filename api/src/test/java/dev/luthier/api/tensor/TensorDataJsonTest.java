package dev.luthier.api.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.luthier.api.WireFormatException;
import dev.luthier.api.json.WireJson;
import org.junit.jupiter.api.Test;

class TensorDataJsonTest {

  @Test
  void parsesTheSpecExamples() {
    TensorData t = WireJson.read("{\"data\": [2,3,4], \"dtype\": \"int64\", \"shape\": [3]}", TensorData.class);
    assertThat(t.dtype()).isEqualTo(DType.INT64);
    assertThat(t.longs()).containsExactly(2, 3, 4);
    assertThat(t.shape()).containsExactly(3);
    TensorData w = WireJson.read("{\"data\": [0.0,1.0,1.0], \"dtype\": \"float32\", \"shape\": [3]}", TensorData.class);
    assertThat(w.floats()).containsExactly(0f, 1f, 1f);
  }

  @Test
  void keysInAnyOrderAndMissingShapeMeansOneDimension() {
    TensorData t = WireJson.read("{\"dtype\": \"float32\", \"data\": [1, 2.5, -3e-2]}", TensorData.class);
    assertThat(t.shape()).containsExactly(3);
    assertThat(t.floats()).containsExactly(1f, 2.5f, -0.03f);
    TensorData n = WireJson.read("{\"dtype\": \"int64\", \"data\": [5], \"shape\": null}", TensorData.class);
    assertThat(n.shape()).containsExactly(1);
  }

  @Test
  void twoDimensionalShape() {
    TensorData t = WireJson.read("{\"data\": [1,2,3,4,5,6], \"dtype\": \"int64\", \"shape\": [3, 2]}", TensorData.class);
    assertThat(t.shape()).containsExactly(3, 2);
    assertThat(t.leadingDim()).isEqualTo(3);
  }

  @Test
  void int64KeepsFullPrecision() {
    TensorData t = WireJson.read("{\"data\": [9007199254740993, -9223372036854775808], \"dtype\": \"int64\"}", TensorData.class);
    assertThat(t.longs()).containsExactly(9007199254740993L, Long.MIN_VALUE);
  }

  @Test
  void sparseCsrIsDensified() {
    // [[0, 5, 0, 0],
    //  [0, 0, 0, 0],
    //  [7, 0, 0, 9]]
    TensorData t = WireJson.read("""
        {"data": [5, 7, 9], "dtype": "int64", "shape": [3, 4],
         "sparse_crow_indices": [0, 1, 1, 3], "sparse_col_indices": [1, 0, 3]}""", TensorData.class);
    assertThat(t.shape()).containsExactly(3, 4);
    assertThat(t.longs()).containsExactly(0, 5, 0, 0, 0, 0, 0, 0, 7, 0, 0, 9);
    TensorData f = WireJson.read("""
        {"sparse_col_indices": [2, 0], "sparse_crow_indices": [0, 1, 2], "shape": [2, 3],
         "dtype": "float32", "data": [0.5, 0.25]}""", TensorData.class);
    assertThat(f.floats()).containsExactly(0, 0, 0.5f, 0.25f, 0, 0);
  }

  @Test
  void sparseCsrErrorsNameTheField() {
    assertError("{\"data\": [1], \"dtype\": \"int64\", \"sparse_crow_indices\": [0, 1], \"sparse_col_indices\": [0]}",
        "shape", "dense shape");
    assertError("{\"data\": [1], \"dtype\": \"int64\", \"shape\": [2, 2], \"sparse_crow_indices\": [0, 1], \"sparse_col_indices\": [0]}",
        "sparse_crow_indices", "expected 3 entries");
    assertError("{\"data\": [1], \"dtype\": \"int64\", \"shape\": [2, 2], \"sparse_crow_indices\": [0, 1, 1], \"sparse_col_indices\": [2]}",
        "sparse_col_indices[0]", "outside [0, 2)");
    assertError("{\"data\": [1, 2], \"dtype\": \"int64\", \"shape\": [2, 2], \"sparse_crow_indices\": [0, 1, 1], \"sparse_col_indices\": [0]}",
        "sparse_crow_indices[2]", "number of values");
    assertError("{\"data\": [1], \"dtype\": \"int64\", \"shape\": [2, 2], \"sparse_crow_indices\": [0, 1, 1]}",
        "sparse_col_indices", "required");
    assertError("{\"data\": [1], \"dtype\": \"int64\", \"shape\": [2, 2], \"sparse_col_indices\": [0]}",
        "sparse_crow_indices", "required");
    assertError("{\"data\": [1], \"dtype\": \"int64\", \"shape\": [2, 2], \"sparse_crow_indices\": [0, 1, 0], \"sparse_col_indices\": [0]}",
        "sparse_crow_indices[2]", "must not decrease");
  }

  @Test
  void formatErrorsNameTheField() {
    assertError("{\"data\": [1, 2.5], \"dtype\": \"int64\"}", "data[1]", "expected an integer");
    assertError("{\"data\": [1, NaN], \"dtype\": \"float32\"}", "data[1]", "finite");
    assertError("{\"data\": [1, -Infinity], \"dtype\": \"float32\"}", "data[1]", "finite");
    assertError("{\"data\": [1, 1e300], \"dtype\": \"float32\"}", "data[1]", "float32 range");
    assertError("{\"data\": [1, \"2\"], \"dtype\": \"float32\"}", "data[1]", "expected a number");
    assertError("{\"data\": [1, null], \"dtype\": \"float32\"}", "data[1]", "expected a number");
    assertError("{\"data\": [1], \"dtype\": \"float16\"}", "dtype", "unknown dtype");
    assertError("{\"data\": [1], \"dtype\": 5}", "dtype", "expected a string");
    assertError("{\"dtype\": \"int64\"}", "data", "missing");
    assertError("{\"data\": [1]}", "dtype", "missing");
    assertError("{\"data\": [1, 2, 3], \"dtype\": \"int64\", \"shape\": [2]}", "shape", "holds 2 elements but data has 3");
    assertError("{\"data\": [], \"dtype\": \"int64\", \"shape\": [-1]}", "shape", "negative");
    assertError("{\"data\": [1], \"dtype\": \"int64\", \"shape\": [1.5]}", "shape[0]", "expected an integer");
    assertError("{\"data\": [1e40], \"dtype\": \"int64\"}", "data[0]", "expected an integer");
    assertError("[1, 2]", "", "expected a TensorData object");
  }

  @Test
  void writesExactlyDataDtypeShape() {
    String json = WireJson.writeString(TensorData.ofFloats(new float[] {-1.5f, 0.1f}, 2));
    assertThat(json).isEqualTo("{\"data\":[-1.5,0.1],\"dtype\":\"float32\",\"shape\":[2]}");
    String ints = WireJson.writeString(TensorData.ofLongs(new long[] {1, 2, 3, 4}, 2, 2));
    assertThat(ints).isEqualTo("{\"data\":[1,2,3,4],\"dtype\":\"int64\",\"shape\":[2,2]}");
  }

  @Test
  void writesNonFiniteAsNullNeverNaN() {
    String json = WireJson.writeString(TensorData.ofFloats(new float[] {Float.NaN, Float.POSITIVE_INFINITY, 1f}));
    assertThat(json).isEqualTo("{\"data\":[null,null,1.0],\"dtype\":\"float32\",\"shape\":[3]}");
  }

  @Test
  void roundTripsFloat32Exactly() {
    float[] values = {Float.MIN_VALUE, Float.MAX_VALUE, -0.0f, 1f / 3, 123456.79f, -7.0e-12f};
    TensorData t = TensorData.ofFloats(values);
    assertThat(WireJson.read(WireJson.write(t), TensorData.class)).isEqualTo(t);
  }

  @Test
  void conversions() {
    TensorData f = TensorData.ofFloats(new float[] {1, 2, 3});
    assertThat(f.toLongs()).containsExactly(1, 2, 3);
    assertThat(f.toInts()).containsExactly(1, 2, 3);
    assertThatThrownBy(() -> TensorData.ofFloats(new float[] {1.5f}).toLongs()).isInstanceOf(WireFormatException.class);
    assertThatThrownBy(() -> TensorData.ofLongs(new long[] {1L << 40}).toInts()).hasMessageContaining("int32");
    assertThat(TensorData.ofLongs(new long[] {4, 5}).toFloats()).containsExactly(4f, 5f);
  }

  static void assertError(String json, String field, String reasonPart) {
    assertThatThrownBy(() -> WireJson.read(json, TensorData.class))
        .isInstanceOfSatisfying(WireFormatException.class, e -> {
          assertThat(e.field()).isEqualTo(field);
          assertThat(e.reason()).contains(reasonPart);
        });
  }
}
