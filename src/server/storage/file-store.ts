// Asset files on disk under DATA_DIR/files. Every write goes to a temp name and is renamed into place,
// so a crash never leaves half a file under a real name. Paths are built only from server-made ids.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, openSync, type ReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

const SAFE_SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;
const SAFE_NAME = /^[A-Za-z0-9_-]{1,64}\.[a-z0-9]{1,8}$/;
const SAFE_TAG = /^[A-Za-z0-9-]{1,24}$/;
/** `<source stem>__<tag>.<ext>`: a file made from another stored file (see FileStore.derived). */
const DERIVED_NAME = /^([A-Za-z0-9_-]+)__[A-Za-z0-9-]+\.[a-z0-9]{1,8}$/;

export interface FileStore {
  readonly root: string;
  /** Writes `bytes` as `assetId/name` atomically; returns the relative path to store in the database. */
  write(assetId: string, name: string, bytes: Uint8Array): Promise<string>;
  read(rel: string): Promise<Buffer>;
  stream(rel: string): ReadStream;
  /** Opens a stored file for streaming, with its size; null when there is no such file. */
  open(rel: string): Promise<{ stream: ReadStream; size: number } | null>;
  /**
   * Where to keep a file made from the stored file `sourceRel` (a converted download, say): in the folder of
   * `assetId`, so that removeAsset removes it, and named after its source with `tag`, so that the sweep keeps it
   * while its source is kept. Rebuildable files only: a derived name too long to spell out its source is hashed,
   * and the sweep then removes it.
   */
  derived(assetId: string, sourceRel: string, tag: string, ext: string): string;
  absolute(rel: string): string;
  /** Removes one stored file; a missing file is not an error. */
  remove(rel: string): Promise<void>;
  removeAsset(assetId: string): Promise<void>;
  /**
   * Deletes every stored file not in `keep` (relative paths) and folders left empty: temp files and files
   * a crash wrote before their row was saved. Derived files stay while a kept file has their source's name.
   * Run at start, before any step or upload can write.
   */
  sweep(keep: ReadonlySet<string>): Promise<number>;
}

/**
 * Creates `dir` and its missing parents. Not `mkdir({recursive: true})`: on Linux that spins forever on a path
 * under /proc or /sys (procfs answers ENOENT for a child of a folder that exists, and Node retries the parent).
 * A regular file in the way is ENOTDIR, as it would be for any path under it.
 */
export async function ensureDir(dir: string): Promise<void> {
  const made = await fs.mkdir(dir).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST') return true;
      if (err.code !== 'ENOENT' || path.dirname(dir) === dir) throw err;
      return false;
    },
  );
  if (!made) {
    await ensureDir(path.dirname(dir));
    // The parent exists now: a second ENOENT is final, never a reason to go round again.
    await fs.mkdir(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  }
  if (!(await fs.stat(dir)).isDirectory()) {
    throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code: 'ENOTDIR', path: dir });
  }
}

export async function createFileStore(root: string): Promise<FileStore> {
  await ensureDir(root);
  const resolvedRoot = path.resolve(root);

  function absolute(rel: string): string {
    const [assetId, name, ...rest] = rel.split('/');
    if (rest.length > 0 || !assetId || !name || !SAFE_SEGMENT.test(assetId) || !SAFE_NAME.test(name)) {
      throw new Error(`Refusing unsafe stored path ${JSON.stringify(rel)}`);
    }
    return path.join(resolvedRoot, assetId, name);
  }

  return {
    root: resolvedRoot,
    absolute,
    async write(assetId, name, bytes) {
      const rel = `${assetId}/${name}`;
      const target = absolute(rel);
      // The root too, in case it was removed under a running server; its parent must still be there.
      await ensureDir(path.dirname(target));
      const temp = `${target}.tmp-${randomBytes(6).toString('hex')}`;
      const handle = await fs.open(temp, 'wx');
      try {
        try {
          await handle.writeFile(bytes);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await fs.rename(temp, target);
      } catch (err) {
        // A full disk fails halfway through: what was written must not stay behind, even under a temp name.
        await fs.rm(temp, { force: true }).catch(() => undefined);
        throw err;
      }
      return rel;
    },
    read: (rel) => fs.readFile(absolute(rel)),
    // Opened now, not when the stream first reads: a missing or unreadable file then throws in the route, whose
    // error handler answers in the contract's shape, instead of failing after a binary content type was set.
    stream: (rel) => createReadStream('', { fd: openSync(absolute(rel), 'r') }),
    async open(rel) {
      const handle = await fs.open(absolute(rel), 'r').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return null;
        throw err;
      });
      if (!handle) return null;
      try {
        const { size } = await handle.stat();
        return { stream: handle.createReadStream(), size };
      } catch (err) {
        await handle.close();
        throw err;
      }
    },
    derived(assetId, sourceRel, tag, ext) {
      if (!SAFE_TAG.test(tag)) throw new Error(`Refusing unsafe tag ${JSON.stringify(tag)}`);
      const stem = path.posix.basename(sourceRel).replace(/\.[^.]*$/, '');
      let name = `${stem}__${tag}.${ext}`;
      if (!SAFE_NAME.test(name)) name = `x${createHash('sha256').update(sourceRel).digest('hex').slice(0, 16)}__${tag}.${ext}`;
      const rel = `${assetId}/${name}`;
      absolute(rel);
      return rel;
    },
    remove: (rel) => fs.rm(absolute(rel), { force: true }),
    async removeAsset(assetId) {
      if (!SAFE_SEGMENT.test(assetId)) throw new Error('Refusing unsafe asset id');
      await fs.rm(path.join(resolvedRoot, assetId), { recursive: true, force: true });
    },
    async sweep(keep) {
      const keptStems = new Set([...keep].map((rel) => path.posix.basename(rel).replace(/\.[^.]*$/, '')));
      const isKept = (rel: string, file: string) => {
        if (keep.has(rel)) return true;
        const source = DERIVED_NAME.exec(file)?.[1];
        return source !== undefined && keptStems.has(source);
      };
      let removed = 0;
      for (const dir of await fs.readdir(resolvedRoot, { withFileTypes: true })) {
        if (!dir.isDirectory()) continue;
        const full = path.join(resolvedRoot, dir.name);
        const names = await fs.readdir(full);
        for (const file of names) {
          if (isKept(`${dir.name}/${file}`, file)) continue;
          await fs.rm(path.join(full, file), { recursive: true, force: true });
          removed++;
        }
        if ((await fs.readdir(full)).length === 0) await fs.rmdir(full);
      }
      return removed;
    },
  };
}
