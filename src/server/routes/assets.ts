// The asset routes of SPEC §3: validate with the contract, call the service, reply.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  CreateAssetFieldsSchema,
  IdParamsSchema,
  LIMITS,
  ListQuerySchema,
  RevisionRequestSchema,
  type AssetList,
} from '../../contract/api';
import { badRequest, notFound } from '../errors';
import type { AssetService } from '../services/asset-service';
import type { AssetRepository, ListCursor } from '../storage/asset-repository';
import { checkImage, readMultipart } from './uploads';
import { parseOr400 } from './validate';

const CursorSchema = z.tuple([z.union([z.string().max(512), z.number()]), z.string().regex(/^[A-Za-z0-9_-]{1,64}$/)]);

function encodeCursor(c: ListCursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(s: string): ListCursor {
  try {
    return CursorSchema.parse(JSON.parse(Buffer.from(s, 'base64url').toString('utf8')));
  } catch {
    throw badRequest('Invalid query: cursor is not one this server gave out.');
  }
}

/** Action routes take no body; anything sent must be an empty JSON object, since unknown fields are refused. */
const EmptyBodySchema = z.union([z.strictObject({}), z.null(), z.undefined()]);

function ifNoneMatch(req: FastifyRequest, reply: FastifyReply, etag: string): boolean {
  reply.header('etag', etag);
  const header = req.headers['if-none-match'];
  if (header && header.split(',').some((t) => t.trim() === etag)) {
    reply.status(304).send();
    return true;
  }
  return false;
}

export function registerAssetRoutes(app: FastifyInstance, service: AssetService, repo: AssetRepository): void {
  app.get('/api/assets', async (req, reply) => {
    const q = parseOr400(ListQuerySchema, req.query, 'query');
    // The change counter moves on every visible change, so it and the query identify the body without building it.
    const queryKey = createHash('sha1').update(JSON.stringify([q.phase, q.q, q.sort, q.limit, q.cursor])).digest('base64url').slice(0, 12);
    const etag = `W/"${repo.changeSeq()}-${queryKey}"`;
    if (ifNoneMatch(req, reply, etag)) return reply;

    const sort = q.sort ?? 'newest';
    const limit = q.limit ?? LIMITS.listLimitDefault;
    const search = q.q?.trim() || undefined;
    const rows = repo.list({
      sort,
      limit: limit + 1,
      ...(q.phase ? { phase: q.phase } : {}),
      ...(search ? { q: search } : {}),
      ...(q.cursor ? { after: decodeCursor(q.cursor) } : {}),
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const body: AssetList = {
      items: page.map(repo.toAsset),
      next_cursor: rows.length > limit && last ? encodeCursor([repo.sortValue(last, sort), last.id]) : null,
      counts: repo.counts(search),
    };
    return body;
  });

  app.post('/api/assets', async (req, reply) => {
    const { fields, files } = await readMultipart(req, {
      fileFields: ['images'],
      textFields: ['name', 'polycount'],
      maxFileBytes: LIMITS.imageBytesMax,
      maxFiles: LIMITS.imagesMax,
      tooLargeMessage: `images may be at most ${LIMITS.imageBytesMax / 1024 / 1024} MB each.`,
    });
    const input = parseOr400(CreateAssetFieldsSchema, fields, 'form');
    if (files.length === 0) throw badRequest('Add at least one image (PNG or JPEG) of the object.');
    const images = [];
    for (const [i, f] of files.entries()) {
      const label = f.filename ? `“${f.filename.slice(0, 80)}”` : `Image ${i + 1}`;
      images.push({ bytes: f.bytes, mime: await checkImage(f.bytes, label) });
    }
    const asset = await service.create({ name: input.name, polycount: input.polycount ?? null, images });
    return reply.status(201).header('location', `/api/assets/${asset.id}`).send(asset);
  });

  app.get('/api/assets/:id', async (req, reply) => {
    const { id } = parseOr400(IdParamsSchema, req.params, 'asset id');
    const row = repo.get(id);
    if (!row) throw notFound();
    if (ifNoneMatch(req, reply, `W/"a${row.change_seq}"`)) return reply;
    return repo.toAsset(row);
  });

  app.delete('/api/assets/:id', async (req, reply) => {
    const { id } = parseOr400(IdParamsSchema, req.params, 'asset id');
    await service.delete(id);
    return reply.status(204).send();
  });

  const action = (path: string, run: (id: string) => unknown, method: 'POST' | 'DELETE' = 'POST') =>
    app.route({
      method,
      url: `/api/assets/:id/${path}`,
      handler: async (req) => {
        const { id } = parseOr400(IdParamsSchema, req.params, 'asset id');
        parseOr400(EmptyBodySchema, req.body ?? undefined, 'body');
        return run(id);
      },
    });

  action('approve', (id) => service.approve(id));
  action('next-step', (id) => service.startNextStep(id));
  action('next-step', (id) => service.cancelCountdown(id), 'DELETE');
  action('retry', (id) => service.retry(id));

  app.post('/api/assets/:id/revisions', async (req) => {
    const { id } = parseOr400(IdParamsSchema, req.params, 'asset id');
    const { note } = parseOr400(RevisionRequestSchema, req.body, 'body');
    return service.requestRevision(id, note);
  });

  app.post('/api/assets/:id/versions', async (req) => {
    const { id } = parseOr400(IdParamsSchema, req.params, 'asset id');
    service.get(id); // 404 before reading a large body for nothing
    const { files } = await readMultipart(req, {
      fileFields: ['file'],
      textFields: [],
      maxFileBytes: LIMITS.modelBytesMax,
      maxFiles: 1,
      tooLargeMessage: `models may be at most ${LIMITS.modelBytesMax / 1024 / 1024} MB.`,
    });
    const file = files[0];
    if (!file) throw badRequest('Add the model as a file field named "file" (a .glb).');
    return service.uploadVersion(id, file.bytes);
  });
}
