/**
 * The server's metadata store (tenants, API keys, sessions, training runs, sampling sessions, checkpoints, usage, audit,
 * futures' results), on SQLite by default and PostgreSQL in production, through plain JDBC.
 *
 * <ul>
 *   <li>{@code db}: {@link dev.luthier.server.storage.db.Database} (pool, Flyway migrations from
 *       {@code db/migration}, read/write transactions, serialised SQLite writes), paging and owner filters.</li>
 *   <li>one package per table: {@code sessions}, {@code runs}, {@code samplers}, {@code checkpoints},
 *       {@code futures}, {@code keys}, {@code dedupe}, {@code tenants}, {@code usage}, {@code audit}; each has its
 *       records and one repository.</li>
 *   <li>{@link dev.luthier.server.storage.Storage}: all repositories over one database, and the recovery to run
 *       at startup.</li>
 * </ul>
 *
 * <p>Portability rules for the SQL: ids and JSON are TEXT, times BIGINT epoch milliseconds, flags BOOLEAN, bytes
 * the migration placeholder {@code ${bytes}}; upserts use {@code INSERT ... ON CONFLICT (one unique key)}, which
 * SQLite and PostgreSQL spell the same way.
 */
package dev.luthier.server.storage;
