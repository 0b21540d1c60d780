package dev.luthier.server.service;

import dev.luthier.api.json.WireJson;
import dev.luthier.api.proto.WireProto;
import dev.luthier.api.sampling.SampleResponse;
import dev.luthier.api.training.CreateModelResponse;
import dev.luthier.api.training.ForwardBackwardOutput;
import dev.luthier.api.training.LoadWeightsResponse;
import dev.luthier.api.training.SaveWeightsForSamplerResponse;
import dev.luthier.api.training.SaveWeightsResponse;
import dev.luthier.api.training.UnloadModelResponse;
import dev.luthier.engine.sampler.SampleResult;
import dev.luthier.server.training.ForwardBackwardResult;
import dev.luthier.server.training.OptimStepResult;
import dev.luthier.server.training.SaveResult;

/**
 * Turns a finished request's payload into its wire result: the JSON record, and for forward/backward and sampling
 * outputs the protobuf form when the client accepts it. Stored results are JSON; protobuf is derived from them.
 */
public final class ResultEncoding {
    private ResultEncoding() {
    }

    /** The wire record of a payload for an operation. */
    public static Object toWire(String operation, Object payload) {
        return switch (payload) {
            case ForwardBackwardResult r -> WireConversions.output(r);
            case OptimStepResult r -> WireConversions.output(r);
            case SampleResult r -> WireConversions.output(r);
            case SaveResult r -> switch (operation) {
                case "SaveWeights" -> new SaveWeightsResponse(r.path());
                case "SaveWeightsForSampler" -> r.path() != null ? SaveWeightsForSamplerResponse.named(r.path())
                        : SaveWeightsForSamplerResponse.unnamed(r.samplingSessionId());
                case "LoadWeights" -> new LoadWeightsResponse(r.path(), null);
                default -> throw new IllegalStateException("save result for " + operation);
            };
            case CreateModelResponse r -> r;
            case UnloadModelResponse r -> r;
            default -> payload;
        };
    }

    public static byte[] json(Object wire) {
        return WireJson.write(wire);
    }

    /** Protobuf bytes of a stored JSON result, for operations that have a protobuf form; null otherwise. */
    public static byte[] protoFromJson(String operation, byte[] json) {
        return switch (operation) {
            case "ForwardBackward", "Forward" -> WireProto.encodeForwardBackwardOutput(WireJson.read(json, ForwardBackwardOutput.class));
            case "Sample" -> WireProto.encodeSampleResponse(WireJson.read(json, SampleResponse.class));
            default -> null;
        };
    }

    public static boolean hasProtoForm(String operation) {
        return operation.equals("ForwardBackward") || operation.equals("Forward") || operation.equals("Sample");
    }
}
