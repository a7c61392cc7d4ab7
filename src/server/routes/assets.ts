// The asset routes of SPEC §3: validate with the contract, call the service, reply.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  CreateAssetFieldsSchema,
  IdParamsSchema,
  AssetListQuerySchema,
  LIMITS,
  RevisionRequestSchema,
  type Sort,
} from '../../contract/api';
import { badRequest, unsupportedType } from '../errors';
import type { AssetService } from '../services/asset-service';
import type { ListCursor } from '../storage/asset-repository';
import { checkImage, createUploadGuard, UPLOAD_LIMITS, type UploadLimits } from './uploads';
import { clip, parseOr400 } from './validate';

const ID = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const CursorSchema = z.union([
  z.tuple([z.enum(['newest', 'updated']), z.number().int(), ID]),
  z.tuple([z.literal('name'), z.string().max(512), ID]),
]);

function decodeCursor(s: string, sort: Sort): ListCursor {
  let parsed: z.infer<typeof CursorSchema>;
  try {
    parsed = CursorSchema.parse(JSON.parse(Buffer.from(s, 'base64url').toString('utf8')));
  } catch {
    throw badRequest('Invalid query: cursor is not one this server gave out.');
  }
  const [cursorSort, value, id] = parsed;
  if (cursorSort !== sort) throw badRequest(`Invalid query: cursor belongs to sort=${cursorSort}, not sort=${sort}.`);
  return [value, id];
}

/** Action routes take no body; anything sent must be an empty JSON object, since unknown fields are refused. */
const EmptyBodySchema = z.union([z.strictObject({}), z.null(), z.undefined()]);
/** Routes without query parameters refuse any, as the list and download routes refuse unknown ones. */
export const NoQuerySchema = z.strictObject({});

/**
 * Bodies of the action and revision routes are JSON. A form or text body is the wrong type, not an empty one:
 * without this a form sent to an action was ignored (the plugin leaves it unread) and the action went ahead.
 */
function assertJsonOrNoBody(req: FastifyRequest): void {
  const type = req.headers['content-type'];
  if (type !== undefined && !/^\s*application\/json\s*(;|$)/i.test(type)) {
    throw unsupportedType('Send the body as JSON (Content-Type: application/json), or send no body.');
  }
}

function clientHasTag(req: FastifyRequest, tag: string): boolean {
  const etag = `W/"${tag}"`;
  const header = req.headers['if-none-match'];
  return header !== undefined && header.split(',').some((t) => t.trim() === etag);
}

export function registerAssetRoutes(
  app: FastifyInstance,
  service: AssetService,
  o: { uploadLimits?: Partial<UploadLimits> } = {},
): void {
  const uploads = createUploadGuard({ ...UPLOAD_LIMITS, ...o.uploadLimits });
  // Before the server waits for requests in flight to finish: a body still trickling in would hold up the stop.
  app.addHook('preClose', (done) => {
    uploads.stopReading();
    done();
  });

  app.get('/api/assets', async (req, reply) => {
    const q = parseOr400(AssetListQuerySchema, req.query, 'query');
    const sort = q.sort ?? 'newest';
    const after = q.cursor ? decodeCursor(q.cursor, sort) : undefined;
    const page = service.listPage(
      {
        sort,
        limit: q.limit ?? LIMITS.listLimitDefault,
        ...(q.phase ? { phase: q.phase } : {}),
        ...(q.q ? { q: q.q } : {}),
        ...(after ? { after } : {}),
        ...(q.since !== undefined ? { since: q.since } : {}),
      },
      (tag) => clientHasTag(req, tag),
    );
    reply.header('etag', `W/"${page.tag}"`);
    if (page.json === null) return reply.status(304).send();
    return reply.type('application/json; charset=utf-8').send(page.json);
  });

  app.post('/api/assets', async (req, reply) => {
    parseOr400(NoQuerySchema, req.query, 'query');
    return uploads.run(req, reply, async (upload) => {
      const { fields, files } = await upload.read({
        fileFields: ['images'],
        textFields: ['name', 'polycount'],
        maxFileBytes: LIMITS.imageBytesMax,
        maxFiles: LIMITS.imagesMax,
        tooLargeMessage: `images may be at most ${LIMITS.imageBytesMax / 1024 / 1024} MB each.`,
        tooManyFilesMessage: `Too many files: send at most ${LIMITS.imagesMax} images.`,
      });
      const input = parseOr400(CreateAssetFieldsSchema, fields, 'form');
      if (files.length === 0) throw badRequest('Add at least one image (PNG or JPEG) of the object.');
      const asset = await upload.check(async () => {
        const images = [];
        for (const [i, f] of files.entries()) {
          const label = f.filename ? `“${clip(f.filename, 80)}”` : `Image ${i + 1}`;
          images.push({ bytes: f.bytes, mime: await checkImage(f.bytes, label) });
        }
        return service.create({ name: input.name, polycount: input.polycount ?? null, images });
      });
      return reply.status(201).header('location', `/api/assets/${asset.id}`).send(asset);
    });
  });

  app.get('/api/assets/:id', async (req, reply) => {
    const { id } = parseOr400(IdParamsSchema, req.params, 'asset id');
    parseOr400(NoQuerySchema, req.query, 'query');
    const { asset, tag } = service.getTagged(id, (t) => clientHasTag(req, t));
    reply.header('etag', `W/"${tag}"`);
    if (asset === null) return reply.status(304).send();
    return asset;
  });

  app.delete('/api/assets/:id', async (req, reply) => {
    const { id } = parseOr400(IdParamsSchema, req.params, 'asset id');
    parseOr400(NoQuerySchema, req.query, 'query');
    assertJsonOrNoBody(req);
    parseOr400(EmptyBodySchema, req.body ?? undefined, 'body');
    await service.delete(id);
    return reply.status(204).send();
  });

  const action = (path: string, run: (id: string) => unknown, method: 'POST' | 'DELETE' = 'POST') =>
    app.route({
      method,
      url: `/api/assets/:id/${path}`,
      handler: async (req) => {
        const { id } = parseOr400(IdParamsSchema, req.params, 'asset id');
        parseOr400(NoQuerySchema, req.query, 'query');
        assertJsonOrNoBody(req);
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
    parseOr400(NoQuerySchema, req.query, 'query');
    assertJsonOrNoBody(req);
    const { note } = parseOr400(RevisionRequestSchema, req.body, 'body');
    return service.requestRevision(id, note);
  });

  app.post('/api/assets/:id/versions', async (req, reply) => {
    const { id } = parseOr400(IdParamsSchema, req.params, 'asset id');
    parseOr400(NoQuerySchema, req.query, 'query');
    service.assertCanUpload(id); // 404 or 409 before reading a large body for nothing
    return uploads.run(req, reply, async (upload) => {
      const { files } = await upload.read({
        fileFields: ['file'],
        textFields: [],
        maxFileBytes: LIMITS.modelBytesMax,
        maxFiles: 1,
        tooLargeMessage: `models may be at most ${LIMITS.modelBytesMax / 1024 / 1024} MB.`,
        tooManyFilesMessage: 'Send one model file at a time.',
      });
      const file = files[0];
      if (!file) throw badRequest('Add the model as a file field named "file" (a .glb).');
      return upload.check(() => service.uploadVersion(id, file.bytes));
    });
  });
}
