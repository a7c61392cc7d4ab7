// Opens the SQLite database and brings its schema up to date, one numbered migration at a time.
import Database from 'better-sqlite3';
import { hiddenCharacter, stripHidden } from '../../contract/text';

export type Db = Database.Database;

/** Append only: a released migration is never edited, a change is a new entry. */
export const MIGRATIONS: readonly string[] = [
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
  // 3: scale (issue 7). Name search through a trigram index (a substring of 3+ characters, exactly "name contains
  // q" on name_lower), per-phase counts kept by triggers so a count never scans, an index per (phase, sort), and
  // thumbnails that may be shared.
  // The search index follows assets' implicit rowid: after a VACUUM, run
  // INSERT INTO assets_name_fts(assets_name_fts) VALUES ('rebuild').
  `
  CREATE VIRTUAL TABLE assets_name_fts USING fts5(
    name_lower, content = 'assets', content_rowid = 'rowid', tokenize = 'trigram case_sensitive 1'
  );
  INSERT INTO assets_name_fts (assets_name_fts) VALUES ('rebuild');
  CREATE TRIGGER assets_fts_insert AFTER INSERT ON assets BEGIN
    INSERT INTO assets_name_fts (rowid, name_lower) VALUES (new.rowid, new.name_lower);
  END;
  CREATE TRIGGER assets_fts_delete AFTER DELETE ON assets BEGIN
    INSERT INTO assets_name_fts (assets_name_fts, rowid, name_lower) VALUES ('delete', old.rowid, old.name_lower);
  END;
  CREATE TRIGGER assets_fts_rename AFTER UPDATE OF name_lower ON assets BEGIN
    INSERT INTO assets_name_fts (assets_name_fts, rowid, name_lower) VALUES ('delete', old.rowid, old.name_lower);
    INSERT INTO assets_name_fts (rowid, name_lower) VALUES (new.rowid, new.name_lower);
  END;

  CREATE TABLE phase_counts (phase TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
  INSERT INTO phase_counts (phase, n)
    SELECT p.column1, (SELECT COUNT(*) FROM assets WHERE phase = p.column1)
    FROM (VALUES ('processing'), ('for_review'), ('completed'), ('failed')) AS p;
  CREATE TRIGGER phase_counts_insert AFTER INSERT ON assets BEGIN
    UPDATE phase_counts SET n = n + 1 WHERE phase = new.phase;
  END;
  CREATE TRIGGER phase_counts_delete AFTER DELETE ON assets BEGIN
    UPDATE phase_counts SET n = n - 1 WHERE phase = old.phase;
  END;
  CREATE TRIGGER phase_counts_update AFTER UPDATE OF phase ON assets WHEN old.phase IS NOT new.phase BEGIN
    UPDATE phase_counts SET n = n - 1 WHERE phase = old.phase;
    UPDATE phase_counts SET n = n + 1 WHERE phase = new.phase;
  END;

  -- A thumbnail stored under another name than <id>/thumbnail.jpg (bulk-seeded assets share a few); NULL: that one.
  ALTER TABLE assets ADD COLUMN thumbnail_file TEXT;

  CREATE INDEX assets_phase_updated ON assets (phase, updated_at DESC, id DESC);
  CREATE INDEX assets_phase_name ON assets (phase, name_lower, id);
  `,
  // 4: the name search keeps its own narrow copy of each name with its phase (a contentful trigram index), so a
  // search's per-phase counts read these small rows instead of every hit's whole asset row: half the time at
  // 100,000 assets, where the asset rows no longer fit SQLite's page cache. It replaces migration 3's index, which
  // read its names from the assets table. Rows follow assets' implicit rowid: after a VACUUM, refill the copy with
  // DELETE FROM assets_search; INSERT INTO assets_search (rowid, name_lower, phase)
  // SELECT rowid, name_lower, phase FROM assets.
  `
  DROP TRIGGER assets_fts_insert;
  DROP TRIGGER assets_fts_delete;
  DROP TRIGGER assets_fts_rename;
  DROP TABLE assets_name_fts;
  CREATE VIRTUAL TABLE assets_search USING fts5(name_lower, phase UNINDEXED, tokenize = 'trigram case_sensitive 1');
  INSERT INTO assets_search (rowid, name_lower, phase) SELECT rowid, name_lower, phase FROM assets;
  CREATE TRIGGER assets_search_insert AFTER INSERT ON assets BEGIN
    INSERT INTO assets_search (rowid, name_lower, phase) VALUES (new.rowid, new.name_lower, new.phase);
  END;
  CREATE TRIGGER assets_search_delete AFTER DELETE ON assets BEGIN
    DELETE FROM assets_search WHERE rowid = old.rowid;
  END;
  CREATE TRIGGER assets_search_update AFTER UPDATE OF name_lower, phase ON assets
  WHEN old.name_lower IS NOT new.name_lower OR old.phase IS NOT new.phase BEGIN
    UPDATE assets_search SET name_lower = new.name_lower, phase = new.phase WHERE rowid = new.rowid;
  END;
  `,
  // 5: a search's per-phase counts from the trigram index alone. One contentless trigram index per phase holds the
  // names of that phase's assets, so counting a phase's hits walks that index's entries and never reads a row:
  // about a quarter of a microsecond per hit instead of one and a half. assets_search (migration 4) still finds the
  // rows of a page. Rows follow assets' implicit rowid, as there (after a VACUUM, refill both).
  `
  CREATE VIRTUAL TABLE assets_names_processing USING fts5(
    name_lower, content = '', contentless_delete = 1, tokenize = 'trigram case_sensitive 1'
  );
  INSERT INTO assets_names_processing (rowid, name_lower) SELECT rowid, name_lower FROM assets WHERE phase = 'processing';
  CREATE VIRTUAL TABLE assets_names_for_review USING fts5(
    name_lower, content = '', contentless_delete = 1, tokenize = 'trigram case_sensitive 1'
  );
  INSERT INTO assets_names_for_review (rowid, name_lower) SELECT rowid, name_lower FROM assets WHERE phase = 'for_review';
  CREATE VIRTUAL TABLE assets_names_completed USING fts5(
    name_lower, content = '', contentless_delete = 1, tokenize = 'trigram case_sensitive 1'
  );
  INSERT INTO assets_names_completed (rowid, name_lower) SELECT rowid, name_lower FROM assets WHERE phase = 'completed';
  CREATE VIRTUAL TABLE assets_names_failed USING fts5(
    name_lower, content = '', contentless_delete = 1, tokenize = 'trigram case_sensitive 1'
  );
  INSERT INTO assets_names_failed (rowid, name_lower) SELECT rowid, name_lower FROM assets WHERE phase = 'failed';
  CREATE TRIGGER assets_names_insert AFTER INSERT ON assets BEGIN
    INSERT INTO assets_names_processing (rowid, name_lower) SELECT new.rowid, new.name_lower WHERE new.phase = 'processing';
    INSERT INTO assets_names_for_review (rowid, name_lower) SELECT new.rowid, new.name_lower WHERE new.phase = 'for_review';
    INSERT INTO assets_names_completed (rowid, name_lower) SELECT new.rowid, new.name_lower WHERE new.phase = 'completed';
    INSERT INTO assets_names_failed (rowid, name_lower) SELECT new.rowid, new.name_lower WHERE new.phase = 'failed';
  END;
  CREATE TRIGGER assets_names_delete AFTER DELETE ON assets BEGIN
    DELETE FROM assets_names_processing WHERE rowid = old.rowid AND old.phase = 'processing';
    DELETE FROM assets_names_for_review WHERE rowid = old.rowid AND old.phase = 'for_review';
    DELETE FROM assets_names_completed WHERE rowid = old.rowid AND old.phase = 'completed';
    DELETE FROM assets_names_failed WHERE rowid = old.rowid AND old.phase = 'failed';
  END;
  CREATE TRIGGER assets_names_update AFTER UPDATE OF name_lower, phase ON assets
  WHEN old.name_lower IS NOT new.name_lower OR old.phase IS NOT new.phase BEGIN
    DELETE FROM assets_names_processing WHERE rowid = old.rowid AND old.phase = 'processing';
    DELETE FROM assets_names_for_review WHERE rowid = old.rowid AND old.phase = 'for_review';
    DELETE FROM assets_names_completed WHERE rowid = old.rowid AND old.phase = 'completed';
    DELETE FROM assets_names_failed WHERE rowid = old.rowid AND old.phase = 'failed';
    INSERT INTO assets_names_processing (rowid, name_lower) SELECT new.rowid, new.name_lower WHERE new.phase = 'processing';
    INSERT INTO assets_names_for_review (rowid, name_lower) SELECT new.rowid, new.name_lower WHERE new.phase = 'for_review';
    INSERT INTO assets_names_completed (rowid, name_lower) SELECT new.rowid, new.name_lower WHERE new.phase = 'completed';
    INSERT INTO assets_names_failed (rowid, name_lower) SELECT new.rowid, new.name_lower WHERE new.phase = 'failed';
  END;
  `,
  // 6: names written before hidden characters were refused (a right-to-left override shows "gnp.exe" as "exe.png")
  // lose them, so every name displays as typed. strip_hidden and js_lower are registered by openDatabase; another
  // database would do the same with its own regular expressions.
  `
  UPDATE assets SET name = strip_hidden(name, 'Untitled'), name_lower = js_lower(strip_hidden(name, 'Untitled'))
    WHERE has_hidden(name);
  UPDATE users SET name = strip_hidden(name, 'Unnamed') WHERE has_hidden(name);
  UPDATE api_tokens SET name = strip_hidden(name, 'Token') WHERE has_hidden(name);
  `,
];

/** What migration 6 needs of the contract's text rules, as SQL functions. */
export function registerTextFunctions(db: Db): void {
  db.function('has_hidden', { deterministic: true }, (s: unknown) => (typeof s === 'string' && hiddenCharacter(s) !== null ? 1 : 0));
  db.function('strip_hidden', { deterministic: true }, (s: unknown, fallback: unknown) =>
    typeof s === 'string' ? stripHidden(s).trim() || String(fallback) : s,
  );
  db.function('js_lower', { deterministic: true }, (s: unknown) => (typeof s === 'string' ? s.toLowerCase() : s));
}

export function openDatabase(file: string): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  registerTextFunctions(db);
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
