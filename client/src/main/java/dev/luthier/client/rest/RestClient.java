package dev.luthier.client.rest;

import dev.luthier.api.ids.TinkerPath;
import dev.luthier.api.json.WireJson;
import dev.luthier.api.rest.ArchiveUrlResponse;
import dev.luthier.api.rest.Checkpoint;
import dev.luthier.api.rest.CheckpointTtlRequest;
import dev.luthier.api.rest.CheckpointsResponse;
import dev.luthier.api.rest.SessionResponse;
import dev.luthier.api.rest.SessionsResponse;
import dev.luthier.api.rest.TrainingRun;
import dev.luthier.api.rest.TrainingRunsResponse;
import dev.luthier.api.rest.WeightsInfoRequest;
import dev.luthier.api.rest.WeightsInfoResponse;
import dev.luthier.api.sampling.SamplerInfo;
import dev.luthier.client.http.HttpTransport;
import dev.luthier.client.session.ClientRuntime;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs, checkpoints and sessions (Python's {@code RestClient}). Synchronous; every call is retried on transient
 * failures. A checkpoint is named by its {@code tinker://<run>/<weights|sampler_weights>/<name>} path. Needs no
 * session.
 */
public final class RestClient {
    private final ClientRuntime rt;

    public RestClient(ClientRuntime runtime) {
        this.rt = runtime;
    }

    /** One page of the caller's training runs, newest first; the cursor says where the list continues. */
    public TrainingRunsResponse listTrainingRuns(int limit, int offset) {
        return get("training_runs?limit=" + limit + "&offset=" + offset + "&access_scope=owned", TrainingRunsResponse.class);
    }

    /** Every training run of the caller, following the cursor page by page. */
    public List<TrainingRun> listAllTrainingRuns() {
        List<TrainingRun> out = new ArrayList<>();
        int offset = 0;
        while (true) {
            TrainingRunsResponse page = listTrainingRuns(100, offset);
            out.addAll(page.trainingRuns());
            offset += page.trainingRuns().size();
            if (page.trainingRuns().isEmpty() || offset >= page.cursor().totalCount()) {
                return out;
            }
        }
    }

    public TrainingRun getTrainingRun(String runId) {
        return get("training_runs/" + PathSegments.encode(runId) + "?access_scope=owned", TrainingRun.class);
    }

    /** The run of a checkpoint path. */
    public TrainingRun getTrainingRunByTinkerPath(String tinkerPath) {
        return getTrainingRun(TinkerPath.parse(tinkerPath).runId());
    }

    /** The checkpoints of one run. */
    public CheckpointsResponse listCheckpoints(String runId) {
        return get("training_runs/" + PathSegments.encode(runId) + "/checkpoints", CheckpointsResponse.class);
    }

    /** One page of the checkpoints of all the caller's runs. */
    public CheckpointsResponse listUserCheckpoints(int limit, int offset) {
        return get("checkpoints?limit=" + limit + "&offset=" + offset, CheckpointsResponse.class);
    }

    public void deleteCheckpoint(String tinkerPath) {
        rt.send("DELETE", checkpointPath(tinkerPath), null, null);
    }

    /** Makes a checkpoint readable by other users (400 if it already is). */
    public void publishCheckpoint(String tinkerPath) {
        rt.send("POST", checkpointPath(tinkerPath) + "/publish", new byte[0], HttpTransport.JSON);
    }

    public void unpublishCheckpoint(String tinkerPath) {
        rt.send("DELETE", checkpointPath(tinkerPath) + "/publish", null, null);
    }

    /** Expires a checkpoint {@code ttlSeconds} from now; null removes the expiry. */
    public void setCheckpointTtl(String tinkerPath, Long ttlSeconds) {
        rt.send("PUT", checkpointPath(tinkerPath) + "/ttl", WireJson.write(new CheckpointTtlRequest(ttlSeconds)), HttpTransport.JSON);
    }

    /** The base model and LoRA settings of a checkpoint (own or public). */
    public WeightsInfoResponse getWeightsInfo(String tinkerPath) {
        TinkerPath.parse(tinkerPath);
        return rt.postJson("weights_info", new WeightsInfoRequest(tinkerPath)).json(WeightsInfoResponse.class);
    }

    public SessionsResponse listSessions(int limit, int offset) {
        return get("sessions?limit=" + limit + "&offset=" + offset + "&access_scope=owned", SessionsResponse.class);
    }

    /** The training runs and samplers of a session. */
    public SessionResponse getSession(String sessionId) {
        return get("sessions/" + PathSegments.encode(sessionId) + "?access_scope=owned", SessionResponse.class);
    }

    public SamplerInfo getSampler(String samplerId) {
        return get("samplers/" + PathSegments.encode(samplerId), SamplerInfo.class);
    }

    /**
     * A link to download a checkpoint as a {@code .tar.gz} (its files under a folder named after the checkpoint),
     * valid until the returned expiry; the link needs no API key (Python's {@code get_checkpoint_archive_url}). The
     * server answers with the link as JSON or as a redirect, which is read, not followed.
     */
    public ArchiveUrlResponse getCheckpointArchiveUrl(String tinkerPath) {
        String path = checkpointPath(tinkerPath) + "/archive";
        return ArchiveLinks.read(rt.transport().uri(path), rt.sendUnfollowed("GET", path), java.time.Instant.now());
    }

    /** Finds a checkpoint of a run by path (convenience over {@link #listCheckpoints}). */
    public java.util.Optional<Checkpoint> findCheckpoint(String tinkerPath) {
        TinkerPath p = TinkerPath.parse(tinkerPath);
        return listCheckpoints(p.runId()).checkpoints().stream().filter(c -> c.tinkerPath().equals(p.toString())).findFirst();
    }

    private static String checkpointPath(String tinkerPath) {
        TinkerPath p = TinkerPath.parse(tinkerPath);
        return "training_runs/" + PathSegments.encode(p.runId()) + "/checkpoints/" + p.kind().pathSegment() + "/"
                + PathSegments.encode(p.name());
    }

    private <T> T get(String path, Class<T> type) {
        return rt.send("GET", path, null, null).json(type);
    }
}
