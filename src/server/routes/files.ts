// Serving stored files: each version's GLB for the preview, thumbnails, and downloads in GLB, glTF or OBJ.
import type { FastifyInstance } from 'fastify';
import { DownloadQuerySchema, IdParamsSchema, VersionParamsSchema } from '../../contract/api';
import type { AssetService } from '../services/asset-service';
import { NoQuerySchema } from './assets';
import { parseOr400 } from './validate';

// A version's file never changes once written, so caches may keep it.
const IMMUTABLE = 'private, max-age=31536000, immutable';

/** RFC 8187 value: percent-encode everything outside attr-char, which encodeURIComponent leaves as '()*! too. */
function rfc8187(s: string): string {
  return encodeURIComponent(s).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `fileName` is ASCII for old clients; `displayFileName` is the asset's own name, sanitised for file systems. */
export function contentDisposition(fileName: string, displayFileName: string): string {
  const utf8 = rfc8187(displayFileName.replace(/[\\/:*?"<>|\p{Cc}]/gu, '_'));
  return `attachment; filename="${fileName}"; filename*=UTF-8''${utf8}`;
}

export function registerFileRoutes(app: FastifyInstance, service: AssetService): void {
  app.get('/api/assets/:id/versions/:n/model.glb', async (req, reply) => {
    const { id, n } = parseOr400(VersionParamsSchema, req.params, 'path');
    parseOr400(NoQuerySchema, req.query, 'query');
    const { stream, size } = service.versionFile(id, n);
    return reply.type('model/gltf-binary').header('cache-control', IMMUTABLE).header('content-length', size).send(stream);
  });

  app.get('/api/assets/:id/thumbnail.jpg', async (req, reply) => {
    const { id } = parseOr400(IdParamsSchema, req.params, 'asset id');
    parseOr400(NoQuerySchema, req.query, 'query');
    return reply.type('image/jpeg').header('cache-control', IMMUTABLE).send(service.thumbnail(id));
  });

  app.get('/api/assets/:id/download', async (req, reply) => {
    const { id } = parseOr400(IdParamsSchema, req.params, 'asset id');
    const q = parseOr400(DownloadQuerySchema, req.query, 'query');
    const out = await service.download(id, q.format ?? 'glb', q.version);
    return reply
      .type(out.contentType)
      .header('content-disposition', contentDisposition(out.fileName, out.displayFileName))
      .header('cache-control', 'private, no-cache')
      .send(Buffer.from(out.bytes.buffer, out.bytes.byteOffset, out.bytes.byteLength));
  });
}
