// Asset files on disk under DATA_DIR/files. Every write goes to a temp name and is renamed into place,
// so a crash never leaves half a file under a real name. Paths are built only from server-made ids.
import { randomBytes } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

const SAFE_SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;
const SAFE_NAME = /^[A-Za-z0-9_-]{1,64}\.[a-z0-9]{1,8}$/;

export interface FileStore {
  readonly root: string;
  /** Writes `bytes` as `assetId/name` atomically; returns the relative path to store in the database. */
  write(assetId: string, name: string, bytes: Uint8Array): Promise<string>;
  read(rel: string): Promise<Buffer>;
  stream(rel: string): ReadStream;
  absolute(rel: string): string;
  /** Removes one stored file; a missing file is not an error. */
  remove(rel: string): Promise<void>;
  removeAsset(assetId: string): Promise<void>;
  /**
   * Deletes every stored file not in `keep` (relative paths) and folders left empty: temp files and files
   * a crash wrote before their row was saved. Run at start, before any step or upload can write.
   */
  sweep(keep: ReadonlySet<string>): Promise<number>;
}

export async function createFileStore(root: string): Promise<FileStore> {
  await fs.mkdir(root, { recursive: true });
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
      await fs.mkdir(path.dirname(target), { recursive: true });
      const temp = `${target}.tmp-${randomBytes(6).toString('hex')}`;
      const handle = await fs.open(temp, 'wx');
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        await fs.rename(temp, target);
      } catch (err) {
        await fs.rm(temp, { force: true });
        throw err;
      }
      return rel;
    },
    read: (rel) => fs.readFile(absolute(rel)),
    stream: (rel) => createReadStream(absolute(rel)),
    remove: (rel) => fs.rm(absolute(rel), { force: true }),
    async removeAsset(assetId) {
      if (!SAFE_SEGMENT.test(assetId)) throw new Error('Refusing unsafe asset id');
      await fs.rm(path.join(resolvedRoot, assetId), { recursive: true, force: true });
    },
    async sweep(keep) {
      let removed = 0;
      for (const dir of await fs.readdir(resolvedRoot, { withFileTypes: true })) {
        if (!dir.isDirectory()) continue;
        const full = path.join(resolvedRoot, dir.name);
        const names = await fs.readdir(full);
        for (const file of names) {
          if (keep.has(`${dir.name}/${file}`)) continue;
          await fs.rm(path.join(full, file), { recursive: true, force: true });
          removed++;
        }
        if ((await fs.readdir(full)).length === 0) await fs.rmdir(full);
      }
      return removed;
    },
  };
}
