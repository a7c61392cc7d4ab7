// Contract-valid test data: every Asset is parsed by the contract's AssetSchema, so a test cannot build a shape the API never sends.
import { AssetListSchema, type AssetList, type PhaseCounts } from '../../src/contract/api';
import { AssetSchema, DEFAULT_PIPELINE, type Asset, type StageLabel } from '../../src/contract/asset';

let serial = 0;

export interface AssetOverrides extends Partial<Omit<Asset, 'status'>> {
  /** Sets phase, step, progress and countdown to a typical asset in that stage. */
  stage?: StageLabel;
  status?: Partial<Asset['status']>;
  /** For Approved: ms from now until the next step starts; null for a cancelled countdown. */
  countdownMs?: number | null;
}

function stageDefaults(stage: StageLabel, now: number, countdownMs: number | null): Pick<Asset, 'step_index' | 'status' | 'next_step_at'> {
  const updated_at = now - 12_000;
  switch (stage) {
    case 'Processing':
      return { step_index: 0, status: { phase: 'processing', updated_at, progress: 0.42 }, next_step_at: null };
    case 'For Review':
      return { step_index: 1, status: { phase: 'for_review', updated_at }, next_step_at: null };
    case 'Approved':
      return { step_index: 1, status: { phase: 'completed', updated_at }, next_step_at: countdownMs === null ? null : now + countdownMs };
    case 'Completed':
      return { step_index: DEFAULT_PIPELINE.length - 1, status: { phase: 'completed', updated_at }, next_step_at: null };
    case 'Generation Failed':
      return {
        step_index: 0,
        status: { phase: 'failed', updated_at, error_message: 'The image is a single colour, so no shape can be read from it.\nUpload a photo of the object.' },
        next_step_at: null,
      };
  }
}

export function buildAsset(overrides: AssetOverrides = {}): Asset {
  serial += 1;
  const now = Date.now();
  const { stage = 'Processing', status, countdownMs = 10_000, ...rest } = overrides;
  const defaults = stageDefaults(stage, now, countdownMs);
  return AssetSchema.parse({
    id: `a${serial}`,
    name: `Asset ${serial}`,
    created_at: now - serial * 1000,
    pipeline: DEFAULT_PIPELINE.map((s) => ({ ...s })),
    versions: [],
    revisions: [],
    thumbnail_url: null,
    polycount: null,
    ...defaults,
    ...rest,
    status: { ...defaults.status, ...status },
  });
}

export function countsOf(assets: readonly Asset[]): PhaseCounts {
  const counts: PhaseCounts = { processing: 0, for_review: 0, completed: 0, failed: 0 };
  for (const a of assets) counts[a.status.phase] += 1;
  return counts;
}

export function buildList(items: Asset[], overrides: Partial<AssetList> = {}): AssetList {
  return AssetListSchema.parse({ items, next_cursor: null, counts: countsOf(items), ...overrides });
}
