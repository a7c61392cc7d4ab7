// The shapes of an asset as the API serves them: the only place they are written.
import { z } from 'zod';

export const PHASES = ['processing', 'for_review', 'completed', 'failed'] as const;
export const PhaseSchema = z.enum(PHASES);
export type Phase = z.infer<typeof PhaseSchema>;

/** The default pipeline, in order. A step's key is stable; its label is what a person reads. */
export const DEFAULT_PIPELINE = [
  { key: 'geometry', label: 'High Poly Geometry' },
  { key: 'optimise', label: 'Optimised Geometry' },
  { key: 'uv', label: 'UV Unwrapping' },
  { key: 'texture', label: 'Texturing' },
  { key: 'lod', label: 'LODs' },
] as const;

export const STEP_KEYS = ['geometry', 'optimise', 'uv', 'texture', 'lod'] as const;
export const StepKeySchema = z.enum(STEP_KEYS);
export type StepKey = z.infer<typeof StepKeySchema>;

export const PipelineStepSchema = z.strictObject({
  key: StepKeySchema,
  label: z.string(),
});
export type PipelineStep = z.infer<typeof PipelineStepSchema>;

/** `AssetStatus` exactly as in the reference model; `updated_at` is epoch ms, `progress` a fraction. */
export const AssetStatusSchema = z.strictObject({
  phase: PhaseSchema,
  updated_at: z.number(),
  progress: z.number().min(0).max(1).optional(),
  error_message: z.string().optional(),
});
export type AssetStatus = z.infer<typeof AssetStatusSchema>;

export const VERSION_SOURCES = ['generated', 'uploaded', 'revision'] as const;
export const VersionSourceSchema = z.enum(VERSION_SOURCES);
export type VersionSource = z.infer<typeof VersionSourceSchema>;

export const VersionSchema = z.strictObject({
  n: z.number().int().min(1),
  step_key: StepKeySchema,
  source: VersionSourceSchema,
  created_at: z.number(),
  note: z.string().optional(),
  /** Size of the version's GLB in bytes. */
  size_bytes: z.number().int().nonnegative(),
  /** Triangles in the first level of detail, as drawn. */
  triangles: z.number().int().nonnegative(),
});
export type Version = z.infer<typeof VersionSchema>;

export const RevisionSchema = z.strictObject({
  step_key: StepKeySchema,
  note: z.string(),
  created_at: z.number(),
});
export type Revision = z.infer<typeof RevisionSchema>;

export const AssetSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  created_at: z.number(),
  pipeline: z.array(PipelineStepSchema).min(1),
  step_index: z.number().int().nonnegative(),
  status: AssetStatusSchema,
  next_step_at: z.number().nullable(),
  versions: z.array(VersionSchema),
  revisions: z.array(RevisionSchema),
  thumbnail_url: z.string().nullable(),
  /** Triangle target for the optimised mesh; null means the service default. */
  polycount: z.number().int().positive().nullable(),
});
export type Asset = z.infer<typeof AssetSchema>;

/** The label a person sees for an asset's stage (SPEC §1): "Approved" is completed on a step that is not the last. */
export type StageLabel = 'Processing' | 'For Review' | 'Approved' | 'Completed' | 'Generation Failed';

export function stageLabel(asset: Pick<Asset, 'status' | 'step_index' | 'pipeline'>): StageLabel {
  return stageLabelOf(asset.status.phase, isLastStep(asset));
}

/** The same label from the parts: a phase, and whether the current step is the pipeline's last. */
export function stageLabelOf(phase: Phase, onLastStep: boolean): StageLabel {
  switch (phase) {
    case 'processing':
      return 'Processing';
    case 'for_review':
      return 'For Review';
    case 'failed':
      return 'Generation Failed';
    case 'completed':
      return onLastStep ? 'Completed' : 'Approved';
  }
}

export function isLastStep(asset: Pick<Asset, 'step_index' | 'pipeline'>): boolean {
  return asset.step_index >= asset.pipeline.length - 1;
}
