package dev.luthier.client.training;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MetricReductionTest {
    @Test
    void reducesBySuffix() {
        Map<String, Double> a = Map.of("loss:sum", 1.0, "lr:mean", 1.0, "lo:min", 3.0, "hi:max", 3.0, "id:unique", 7.0,
                "only_a:sum", 5.0, "odd:weird", 1.0);
        Map<String, Double> b = Map.of("loss:sum", 2.0, "lr:mean", 4.0, "lo:min", 1.0, "hi:max", 5.0, "id:unique", 8.0,
                "odd:weird", 2.0);
        Map<String, Double> r = MetricReduction.reduce(List.of(a, b), List.of(1, 3));
        assertThat(r).containsEntry("loss:sum", 3.0).containsEntry("lr:mean", (1.0 * 1 + 4.0 * 3) / 4)
                .containsEntry("lo:min", 1.0).containsEntry("hi:max", 5.0)
                .containsEntry("id:unique", 7.0).containsEntry("id:unique_2", 8.0)
                .doesNotContainKeys("only_a:sum", "odd:weird");
    }

    @Test
    void oneChunkPassesThrough() {
        assertThat(MetricReduction.reduce(List.of(Map.of("x:weird", 2.0)), List.of(4))).containsExactly(Map.entry("x:weird", 2.0));
    }
}
