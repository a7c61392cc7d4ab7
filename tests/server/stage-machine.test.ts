import type { Phase } from '../../src/contract/asset';
import { HttpError } from '../../src/server/errors';
import { TRANSITIONS, transition, type Action } from '../../src/server/services/stage-machine';

const base = { step_index: 1, step_count: 5, next_step_at: null };
const PHASES: Phase[] = ['processing', 'for_review', 'completed', 'failed'];

// The transitions of the asset-service issue, written out independently of the module's own table.
const ALLOWED: Record<Action, [Phase, Phase]> = {
  finish_step: ['processing', 'for_review'],
  fail_step: ['processing', 'failed'],
  approve: ['for_review', 'completed'],
  request_revision: ['for_review', 'processing'],
  upload_version: ['for_review', 'for_review'],
  start_next_step: ['completed', 'processing'],
  cancel_countdown: ['completed', 'completed'],
  retry: ['failed', 'processing'],
};

describe('stage machine', () => {
  for (const action of Object.keys(TRANSITIONS) as Action[]) {
    const [from, to] = ALLOWED[action];
    for (const phase of PHASES) {
      it(`${action} from ${phase} ${phase === from ? `leads to ${to}` : 'is refused with 409'}`, () => {
        const view = { ...base, phase, next_step_at: action === 'cancel_countdown' ? 1 : null };
        if (phase === from) {
          expect(transition(view, action)).toBe(to);
        } else {
          let thrown: unknown;
          try {
            transition(view, action);
          } catch (err) {
            thrown = err;
          }
          expect(thrown).toBeInstanceOf(HttpError);
          expect((thrown as HttpError).statusCode).toBe(409);
        }
      });
    }
  }

  it('names the current stage in a refusal, with "Approved" for a completed step that is not the last', () => {
    expect(() => transition({ ...base, phase: 'completed' }, 'approve')).toThrow('Cannot approve: the asset is Approved.');
    expect(() => transition({ ...base, phase: 'completed', step_index: 4 }, 'approve')).toThrow('the asset is Completed');
    expect(() => transition({ ...base, phase: 'processing' }, 'retry')).toThrow('Cannot retry: the asset is Processing.');
    expect(() => transition({ ...base, phase: 'failed' }, 'approve')).toThrow('the asset is Generation Failed');
  });

  it('refuses a next step after the last step, and cancelling when no countdown runs', () => {
    expect(() => transition({ ...base, phase: 'completed', step_index: 4 }, 'start_next_step')).toThrow(/no next step/);
    expect(() => transition({ ...base, phase: 'completed' }, 'cancel_countdown')).toThrow('No countdown is running: the asset is Approved');
    expect(transition({ ...base, phase: 'completed', next_step_at: 123 }, 'cancel_countdown')).toBe('completed');
  });
});
