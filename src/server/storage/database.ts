// Opens the SQLite database and brings its schema up to date, one numbered migration at a time.
import Database from 'better-sqlite3';

export type Db = Database.Database;

/** Append only: a released migration is never edited, a change is a new entry. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE assets (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    name_lower    TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    pipeline      TEXT NOT NULL,           -- JSON [{key,label}], fixed when the asset is created
    step_index    INTEGER NOT NULL,
    phase         TEXT NOT NULL CHECK (phase IN ('processing','for_review','completed','failed')),
    updated_at    INTEGER NOT NULL,
    progress      REAL,
    error_message TEXT,
    next_step_at  INTEGER,
    polycount     INTEGER,
    has_thumbnail INTEGER NOT NULL DEFAULT 0,
    job_source    TEXT CHECK (job_source IN ('generated','revision')),  -- what the running step will record
    job_note      TEXT,
    change_seq    INTEGER NOT NULL
  );
  CREATE INDEX assets_created ON assets (created_at DESC, id DESC);
  CREATE INDEX assets_updated ON assets (updated_at DESC, id DESC);
  CREATE INDEX assets_name ON assets (name_lower, id);
  CREATE INDEX assets_phase_created ON assets (phase, created_at DESC, id DESC);
  CREATE INDEX assets_due ON assets (next_step_at) WHERE next_step_at IS NOT NULL;

  CREATE TABLE images (
    asset_id TEXT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    idx      INTEGER NOT NULL,
    file     TEXT NOT NULL,
    mime     TEXT NOT NULL,
    PRIMARY KEY (asset_id, idx)
  );

  CREATE TABLE versions (
    asset_id   TEXT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    n          INTEGER NOT NULL,
    step_key   TEXT NOT NULL,
    source     TEXT NOT NULL CHECK (source IN ('generated','uploaded','revision')),
    created_at INTEGER NOT NULL,
    note       TEXT,
    file       TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    triangles  INTEGER NOT NULL,
    PRIMARY KEY (asset_id, n)
  );

  CREATE TABLE revisions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    asset_id   TEXT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    step_key   TEXT NOT NULL,
    note       TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX revisions_asset ON revisions (asset_id, id);

  -- One counter bumped by every change an API reader can see: cheap list ETags.
  CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
  INSERT INTO meta (key, value) VALUES ('change_seq', 0);
  `,
  // 2: sign-in (issue 6). Session ids and token secrets are stored only as SHA-256 hashes, passwords as scrypt.
  `
  CREATE TABLE users (
    id                  TEXT PRIMARY KEY,
    email               TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    role                TEXT NOT NULL CHECK (role IN ('viewer','editor','admin')),
    password_hash       TEXT NOT NULL,
    created_at          INTEGER NOT NULL
  );

  CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
  );
  CREATE INDEX sessions_user ON sessions (user_id);
  CREATE INDEX sessions_expiry ON sessions (expires_at);

  CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    hint         TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
  );
  CREATE INDEX api_tokens_user ON api_tokens (user_id, created_at);
  `,
];

export function openDatabase(file: string): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`The database was written by a newer version (schema ${current}); this build knows ${MIGRATIONS.length}.`);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    const sql = MIGRATIONS[v] as string;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
