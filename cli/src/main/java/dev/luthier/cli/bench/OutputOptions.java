package dev.luthier.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Option;

/** What every engine benchmark shares: its thread count and how it prints its result. */
public final class OutputOptions {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--threads", description = "worker threads (default: all cores)")
    Integer threads;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    int threads() {
        return threads != null ? threads : Runtime.getRuntime().availableProcessors();
    }

    boolean json() {
        return json;
    }

    ObjectNode newResult() {
        return JSON.createObjectNode();
    }

    void print(ObjectNode result) throws Exception {
        System.out.println(json ? JSON.writeValueAsString(result) : JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
    }
}
