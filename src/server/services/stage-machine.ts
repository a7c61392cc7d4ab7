// The one place that decides which actions an asset's stage allows and where each leads (SPEC §1).
// Routes and the pipeline never set `phase` themselves: they ask for a transition here.
import { stageLabelOf, type Phase } from '../../contract/asset';
import { wrongStage } from '../errors';

export type Action =
  | 'finish_step'
  | 'fail_step'
  | 'approve'
  | 'request_revision'
  | 'upload_version'
  | 'start_next_step'
  | 'cancel_countdown'
  | 'retry';

interface StageView {
  phase: Phase;
  step_index: number;
  step_count: number;
  next_step_at: number | null;
}

interface Transition {
  from: readonly Phase[];
  to: Phase;
  /** Extra condition within the `from` stage; returns why the action is refused, or null. */
  guard?: (s: StageView) => string | null;
  /** What the action is called in a refusal, e.g. "approve". */
  verb: string;
}

const isLast = (s: StageView) => s.step_index >= s.step_count - 1;

export const TRANSITIONS: Readonly<Record<Action, Transition>> = {
  finish_step: { from: ['processing'], to: 'for_review', verb: 'finish a step' },
  fail_step: { from: ['processing'], to: 'failed', verb: 'fail a step' },
  approve: { from: ['for_review'], to: 'completed', verb: 'approve' },
  request_revision: { from: ['for_review'], to: 'processing', verb: 'request revisions' },
  upload_version: { from: ['for_review'], to: 'for_review', verb: 'upload a new version' },
  start_next_step: {
    from: ['completed'],
    to: 'processing',
    verb: 'start the next step',
    guard: (s) => (isLast(s) ? 'The asset has finished every step: there is no next step to process.' : null),
  },
  cancel_countdown: {
    from: ['completed'],
    to: 'completed',
    verb: 'cancel the countdown',
    guard: (s) =>
      isLast(s)
        ? 'The asset has finished every step: there is no countdown to cancel.'
        : s.next_step_at === null
          ? 'No countdown is running: the asset is Approved and waits for Process to be clicked.'
          : null,
  },
  retry: { from: ['failed'], to: 'processing', verb: 'retry' },
};

/** The stage as a person reads it, for messages. */
export function stageName(s: Pick<StageView, 'phase' | 'step_index' | 'step_count'>): string {
  return stageLabelOf(s.phase, s.step_index >= s.step_count - 1);
}

/** Returns the phase the action leads to, or throws a 409 that names the asset's current stage. */
export function transition(s: StageView, action: Action): Phase {
  const t = TRANSITIONS[action];
  if (!t.from.includes(s.phase)) {
    throw wrongStage(`Cannot ${t.verb}: the asset is ${stageName(s)}.`);
  }
  const refusal = t.guard?.(s);
  if (refusal) throw wrongStage(refusal);
  return t.to;
}
