// A database written by an earlier release opens, upgrades in place and answers the same searches.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createAssetRepository } from '../../../src/server/storage/asset-repository';
import { MIGRATIONS, openDatabase, registerTextFunctions } from '../../../src/server/storage/database';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'asset-forge-migrations-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A database as release `version` left it, holding `names` (one asset each, in the given phases). */
function databaseAt(version: number, assets: { name: string; phase: string }[]): string {
  const file = path.join(dir, 'asset-forge.sqlite');
  const db = new Database(file);
  try {
    registerTextFunctions(db);
    for (const sql of MIGRATIONS.slice(0, version)) db.exec(sql);
    db.pragma(`user_version = ${version}`);
    const insert = db.prepare(
      `INSERT INTO assets (id, name, name_lower, created_at, pipeline, step_index, phase, updated_at, progress, change_seq)
       VALUES (?, ?, ?, ?, '[]', 0, ?, ?, 0, ?)`,
    );
    assets.forEach((a, i) => insert.run(`a${i}`, a.name, a.name.toLowerCase(), 1000 + i, a.phase, 1000 + i, i + 1));
  } finally {
    db.close();
  }
  return file;
}

describe('migrations', () => {
  it('brings a schema-3 database to the latest schema, and its name search keeps working with the phases', () => {
    const file = databaseAt(3, [
      { name: 'Blue Vase', phase: 'for_review' },
      { name: 'Vase of Oak', phase: 'completed' },
      { name: 'Oak Chair', phase: 'completed' },
      { name: 'vAsE', phase: 'failed' },
    ]);
    const db = openDatabase(file);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      const repo = createAssetRepository(db);
      expect(repo.counts('vase')).toEqual({ processing: 0, for_review: 1, completed: 1, failed: 1 });
      expect(repo.list({ sort: 'name', limit: 10, q: 'vase' }).map((r) => r.name)).toEqual(['Blue Vase', 'vAsE', 'Vase of Oak']);
      // The copy follows later changes: a phase change, a rename and a delete.
      db.prepare(`UPDATE assets SET phase = 'completed' WHERE id = 'a0'`).run();
      db.prepare(`UPDATE assets SET name = 'Jug', name_lower = 'jug' WHERE id = 'a1'`).run();
      db.prepare(`DELETE FROM assets WHERE id = 'a3'`).run();
      expect(repo.counts('vase')).toEqual({ processing: 0, for_review: 0, completed: 1, failed: 0 });
      expect(repo.counts('jug')).toEqual({ processing: 0, for_review: 0, completed: 1, failed: 0 });
    } finally {
      db.close();
    }
  });

  it('strips hidden characters from names written before they were refused, and searches the result', () => {
    const file = databaseAt(5, [
      { name: '\u202Egnp.exe', phase: 'completed' },
      { name: 'Va\u200Bse', phase: 'for_review' },
      { name: 'گلدان\u200Cها', phase: 'failed' },
      { name: '\u2066\u2069', phase: 'failed' },
    ]);
    const raw = new Database(file);
    raw.prepare(`INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES ('u1', 'a@b.c', 'Ad\u200Bmin', 'admin', 'x', 1)`).run();
    raw.close();
    const db = openDatabase(file);
    try {
      const repo = createAssetRepository(db);
      const names = () => (db.prepare('SELECT id, name, name_lower FROM assets ORDER BY id').all() as { name: string; name_lower: string }[]);
      expect(names().map((r) => r.name)).toEqual(['gnp.exe', 'Vase', 'گلدان\u200Cها', 'Untitled']);
      expect(names().map((r) => r.name_lower)).toEqual(['gnp.exe', 'vase', 'گلدان\u200Cها', 'untitled']);
      expect(repo.counts('vase')).toEqual({ processing: 0, for_review: 1, completed: 0, failed: 0 });
      expect((db.prepare(`SELECT name FROM users WHERE id = 'u1'`).get() as { name: string }).name).toBe('Admin');
    } finally {
      db.close();
    }
  });

  it('refuses a database written by a newer release, and leaves it as it was', () => {
    const file = databaseAt(MIGRATIONS.length, []);
    const db = new Database(file);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => openDatabase(file)).toThrow(/newer version/);
    const again = new Database(file);
    expect(again.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 1);
    again.close();
  });
});
