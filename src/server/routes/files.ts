// Serving stored files: each version's GLB for the preview, thumbnails, and downloads in GLB, glTF or OBJ.
import type { FastifyInstance } from 'fastify';
import { DownloadQuerySchema, IdParamsSchema, VersionParamsSchema } from '../../contract/api';
import { exportModel } from '../models/export-model';
import { notFound, wrongStage } from '../errors';
import type { AssetRepository } from '../storage/asset-repository';
import type { FileStore } from '../storage/file-store';
import { parseOr400 } from './validate';

// A version's file never changes once written, so caches may keep it.
const IMMUTABLE = 'private, max-age=31536000, immutable';

/** An ASCII file name for the header, made from the asset's name; the full name travels in filename*. */
export function fileSlug(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase()
    .slice(0, 60);
  return slug || 'asset';
}

export function contentDisposition(fileName: string, displayName: string): string {
  const ext = fileName.slice(fileName.lastIndexOf('.'));
  const utf8 = encodeURIComponent(displayName.replace(/[\\/:*?"<>|\p{Cc}]/gu, '_') + ext);
  return `attachment; filename="${fileName}"; filename*=UTF-8''${utf8}`;
}

export function registerFileRoutes(app: FastifyInstance, repo: AssetRepository, files: FileStore): void {
  app.get('/api/assets/:id/versions/:n/model.glb', async (req, reply) => {
    const { id, n } = parseOr400(VersionParamsSchema, req.params, 'path');
    if (!repo.get(id)) throw notFound();
    const v = repo.version(id, n);
    if (!v) throw notFound(`This asset has no version ${n}.`);
    return reply
      .type('model/gltf-binary')
      .header('cache-control', IMMUTABLE)
      .header('content-length', v.size_bytes)
      .send(files.stream(v.file));
  });

  app.get('/api/assets/:id/thumbnail.jpg', async (req, reply) => {
    const { id } = parseOr400(IdParamsSchema, req.params, 'asset id');
    const row = repo.get(id);
    if (!row?.has_thumbnail) throw notFound(row ? 'This asset has no thumbnail.' : undefined);
    return reply.type('image/jpeg').header('cache-control', IMMUTABLE).send(files.stream(`${id}/thumbnail.jpg`));
  });

  app.get('/api/assets/:id/download', async (req, reply) => {
    const { id } = parseOr400(IdParamsSchema, req.params, 'asset id');
    const q = parseOr400(DownloadQuerySchema, req.query, 'query');
    const row = repo.get(id);
    if (!row) throw notFound();
    const v = q.version !== undefined ? repo.version(id, q.version) : repo.latestVersion(id);
    if (!v) {
      if (q.version !== undefined) throw notFound(`This asset has no version ${q.version}.`);
      throw wrongStage('This asset has no model yet: wait for its first step to finish.');
    }
    const isLatest = repo.latestVersion(id)?.n === v.n;
    const base = isLatest ? fileSlug(row.name) : `${fileSlug(row.name)}-v${v.n}`;
    const out = await exportModel(await files.read(v.file), q.format ?? 'glb', base);
    const display = isLatest ? row.name : `${row.name} v${v.n}`;
    return reply
      .type(out.contentType)
      .header('content-disposition', contentDisposition(out.fileName, display))
      .header('cache-control', 'private, no-cache')
      .send(Buffer.from(out.bytes.buffer, out.bytes.byteOffset, out.bytes.byteLength));
  });
}
