package dev.luthier.server.storage;

import dev.luthier.server.storage.db.Database;
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
}
