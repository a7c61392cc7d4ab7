// Request and response shapes of the HTTP API (SPEC §3), shared by the server's validation and the client's parsing.
import { z } from 'zod';
import { AssetSchema, PhaseSchema } from './asset';
import { noHiddenCharacters } from './text';

export const LIMITS = {
  nameMax: 120,
  noteMax: 2000,
  imagesMax: 6,
  imageBytesMax: 10 * 1024 * 1024,
  /** Width × height an uploaded image may declare; larger is refused before decoding (decompression bombs). */
  imagePixelsMax: 50_000_000,
  /** Images smaller than this on either side cannot be read into a shape. */
  imageSideMin: 32,
  modelBytesMax: 64 * 1024 * 1024,
  /** What a model may draw, over every node that instances a mesh and every level of detail. */
  modelTrianglesMax: 3_000_000,
  /** Vertices written over every primitive and level of detail (up to three per triangle, unindexed). */
  modelVerticesMax: 9_000_000,
  modelNodesMax: 10_000,
  /** Longest parent-to-child chain of nodes. */
  modelDepthMax: 128,
  /** Width × height of all a model's textures added up: eight 4096 × 4096 maps. */
  modelTexturePixelsMax: 8 * 4096 * 4096,
  /** A model's data once unpacked (accessors, meshopt-compressed views, buffers); a 64 MB file holds far less. */
  modelDataBytesMax: 512 * 1024 * 1024,
  polycountMin: 100,
  polycountMax: 1_000_000,
  listLimitMax: 100,
  listLimitDefault: 50,
} as const;

export const SORTS = ['newest', 'name', 'updated'] as const;
export const SortSchema = z.enum(SORTS);
export type Sort = z.infer<typeof SortSchema>;

/** Query strings arrive as text; numbers are parsed strictly (no "12abc"). */
const intString = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

export const ListQuerySchema = z.strictObject({
  phase: PhaseSchema.optional(),
  q: z.string().max(LIMITS.nameMax).optional(),
  sort: SortSchema.optional(),
  limit: intString(1, LIMITS.listLimitMax).optional(),
  cursor: z.string().max(512).optional(),
});
export type ListQuery = z.input<typeof ListQuerySchema>;

/**
 * What GET /api/assets accepts: the list query plus, since issue 7, the optional `since` ("changes since"). `0` asks
 * for the whole page plus a `token`; a `token` from an earlier answer for the same page asks for only what changed
 * since (see AssetListSchema and mergeListPage).
 */
export const AssetListQuerySchema = ListQuerySchema.extend({
  since: z
    .string()
    .regex(/^(0|[A-Za-z0-9_-]{1,16}\.\d{1,15})$/, 'must be 0 or a token from an earlier answer')
    .optional(),
});
export type AssetListQuery = z.input<typeof AssetListQuerySchema>;

export const PhaseCountsSchema = z.strictObject({
  processing: z.number().int().nonnegative(),
  for_review: z.number().int().nonnegative(),
  completed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
});
export type PhaseCounts = z.infer<typeof PhaseCountsSchema>;

export const AssetListSchema = z.strictObject({
  /** The page's assets in order; in a "changes since" answer (item_ids present) only those that changed. */
  items: z.array(AssetSchema),
  next_cursor: z.string().nullable(),
  counts: PhaseCountsSchema,
  /** Only when the request had `since`: send it as `since` next time to get only what changed. */
  token: z.string().optional(),
  /** Only in a "changes since" answer: the page's ids in order; items holds the changed ones among them. */
  item_ids: z.array(z.string()).optional(),
});
export type AssetList = z.infer<typeof AssetListSchema>;

/**
 * The full page from a "changes since" answer and the page the client held for the same request: each id takes the
 * changed asset, or else the one held. Null when an id is in neither (it moved in from another page unchanged):
 * ask again with since=0. A full answer (no item_ids) is returned as it is.
 */
export function mergeListPage(held: AssetList | undefined, answer: AssetList): AssetList | null {
  const ids = answer.item_ids;
  if (!ids) return answer;
  const known = new Map<string, AssetList['items'][number]>();
  for (const a of held?.items ?? []) known.set(a.id, a);
  for (const a of answer.items) known.set(a.id, a);
  const items: AssetList['items'] = [];
  for (const id of ids) {
    const a = known.get(id);
    if (!a) return null;
    items.push(a);
  }
  return {
    items,
    next_cursor: answer.next_cursor,
    counts: answer.counts,
    ...(answer.token !== undefined ? { token: answer.token } : {}),
  };
}

/** A name is trimmed; it must keep at least one visible character. */
export const AssetNameSchema = z
  .string({ error: (iss) => (iss.input === undefined ? 'Name is required' : 'Name must be text') })
  .transform((s) => s.trim())
  .pipe(
    z
      .string()
      .min(1, 'Name is required')
      .max(LIMITS.nameMax, `Name must be at most ${LIMITS.nameMax} characters`)
      .superRefine(noHiddenCharacters('Name')),
  );

export const PolycountSchema = z
  .string()
  .regex(/^\d{1,9}$/, 'Polycount must be a whole number')
  .transform(Number)
  .pipe(
    z
      .number()
      .int()
      .min(LIMITS.polycountMin, `Polycount must be at least ${LIMITS.polycountMin}`)
      .max(LIMITS.polycountMax, `Polycount must be at most ${LIMITS.polycountMax}`),
  );

/** The text fields of POST /api/assets (the images come as file parts named "images"). */
export const CreateAssetFieldsSchema = z.strictObject({
  name: AssetNameSchema,
  polycount: PolycountSchema.optional(),
});

export const RevisionRequestSchema = z.strictObject({
  note: z
    .string({ error: (iss) => (iss.input === undefined ? 'Note is required' : 'Note must be text') })
    .transform((s) => s.trim())
    .pipe(
      z
        .string()
        .min(1, 'Note is required')
        .max(LIMITS.noteMax, `Note must be at most ${LIMITS.noteMax} characters`)
        // A note may have lines and tabs, as typed in the textbox.
        .superRefine(noHiddenCharacters('Note', ['\n', '\r', '\t'])),
    ),
});
export type RevisionRequest = z.input<typeof RevisionRequestSchema>;

export const DOWNLOAD_FORMATS = ['glb', 'gltf', 'obj'] as const;
export const DownloadFormatSchema = z.enum(DOWNLOAD_FORMATS);
export type DownloadFormat = z.infer<typeof DownloadFormatSchema>;

export const DownloadQuerySchema = z.strictObject({
  format: DownloadFormatSchema.optional(),
  version: intString(1, 1_000_000).optional(),
});

export const IdParamsSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a valid asset id'),
});

export const VersionParamsSchema = IdParamsSchema.extend({
  n: intString(1, 1_000_000),
});

export const ERROR_CODES = [
  'bad_request',
  'not_found',
  'wrong_stage',
  'too_large',
  'unsupported_type',
  'unprocessable',
  'internal',
  // Added with sign-in and fault handling (issue 6); older clients treat unknown codes by their HTTP status.
  'unauthorized',
  'forbidden',
  'conflict',
  'rate_limited',
  'insufficient_storage',
  'unavailable',
  // A request or upload body that stopped arriving (408).
  'timeout',
] as const;
export const ErrorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const ErrorBodySchema = z.strictObject({
  error: z.strictObject({
    code: z.string(),
    message: z.string(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

export const HealthSchema = z.strictObject({ status: z.literal('ok') });

/** Header carrying the server's clock (epoch ms) so a client can correct countdowns for clock offset. */
export const SERVER_TIME_HEADER = 'x-server-time';
