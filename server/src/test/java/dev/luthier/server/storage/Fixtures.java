package dev.luthier.server.storage;

import dev.luthier.server.storage.db.Database;
import dev.luthier.server.storage.ids.TinkerIds;
import dev.luthier.server.storage.runs.LoraSettings;
import dev.luthier.server.storage.runs.TrainingRun;
import dev.luthier.server.storage.runs.TrainingRunRepository;
import dev.luthier.server.storage.sessions.Session;
import dev.luthier.server.storage.sessions.SessionRepository;

import java.time.Instant;
import java.util.List;

/** Rows the contracts need as parents of the rows they test. */
final class Fixtures {
    private Fixtures() {
    }

    static Session session(Database db, String id, String apiKeyId, Instant at) {
        Session s = Session.started(id, apiKeyId, List.of(), null, "0.24.1", null, at);
        new SessionRepository(db).create(s);
        return s;
    }

    static final LoraSettings LORA_32 = new LoraSettings(32, null, null, true, true, true);

    /** A run "<session>:train:<n>" of Qwen3-0.6B owned by the session's key. */
    static TrainingRun run(Database db, Session session, long n, Instant at) {
        TrainingRun r = TrainingRun.created(TinkerIds.trainingRun(session.id(), n), session.id(), n, session.apiKeyId(),
                "Qwen/Qwen3-0.6B", LORA_32, null, at);
        new TrainingRunRepository(db).create(r);
        return r;
    }
}
