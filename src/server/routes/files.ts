// Serving stored files: each version's GLB for the preview, thumbnails, and downloads in GLB, glTF or OBJ.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DownloadQuerySchema, IdParamsSchema, VersionParamsSchema } from '../../contract/api';
import { stripHidden } from '../../contract/text';
import { RetryLater } from '../exports/exporter';
import type { AssetService, StoredFile } from '../services/asset-service';
import { NoQuerySchema } from './assets';
import { parseOr400 } from './validate';

// Private files may be kept by the browser, but only to revalidate: a kept copy is used after a 304, so it is never
// shown to whoever uses the browser after sign-out (which also clears the cache) or after access was taken away.
const REVALIDATE = 'private, no-cache';

/** A stored file, or a 304 when the client already holds the same bytes. */
function sendStored(req: FastifyRequest, reply: FastifyReply, type: string, file: StoredFile) {
  void reply.type(type).header('cache-control', REVALIDATE).header('etag', file.tag);
  if (ifNoneMatch(req.headers['if-none-match'], file.tag)) return reply.status(304).send();
  if (file.size !== undefined) void reply.header('content-length', file.size);
  return reply.send(file.open());
}

function ifNoneMatch(header: string | undefined, tag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const v = t.trim();
    return v === '*' || v === tag || v === `W/${tag}`;
  });
}

/** RFC 8187 value: percent-encode everything outside attr-char, which encodeURIComponent leaves as '()*! too. */
function rfc8187(s: string): string {
  return encodeURIComponent(s).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `fileName` is ASCII for old clients; `displayFileName` is the asset's own name, sanitised for file systems. */
export function contentDisposition(fileName: string, displayFileName: string): string {
  // Hidden characters go first: a right-to-left override would make "gnp.exe.glb" display as "blg.exe.png".
  const utf8 = rfc8187(stripHidden(displayFileName).replace(/[\\/:*?"<>|]/g, '_'));
  return `attachment; filename="${fileName}"; filename*=UTF-8''${utf8}`;
}

export function registerFileRoutes(app: FastifyInstance, service: AssetService): void {
  app.get('/api/assets/:id/versions/:n/model.glb', async (req, reply) => {
    const { id, n } = parseOr400(VersionParamsSchema, req.params, 'path');
    parseOr400(NoQuerySchema, req.query, 'query');
    return sendStored(req, reply, 'model/gltf-binary', service.versionFile(id, n));
  });

  app.get('/api/assets/:id/thumbnail.jpg', async (req, reply) => {
    const { id } = parseOr400(IdParamsSchema, req.params, 'asset id');
    parseOr400(NoQuerySchema, req.query, 'query');
    return sendStored(req, reply, 'image/jpeg', service.thumbnail(id));
  });

  app.get('/api/assets/:id/download', async (req, reply) => {
    const { id } = parseOr400(IdParamsSchema, req.params, 'asset id');
    const q = parseOr400(DownloadQuerySchema, req.query, 'query');
    const out = await service.download(id, q.format ?? 'glb', q.version, req.principal?.user.id ?? '').catch((err: unknown) => {
      if (err instanceof RetryLater) void reply.header('retry-after', String(err.retryAfterSeconds));
      throw err;
    });
    return reply
      .type(out.contentType)
      .header('content-disposition', contentDisposition(out.fileName, out.displayFileName))
      .header('cache-control', 'private, no-cache')
      .header('content-length', out.size)
      .send(out.stream);
  });
}
