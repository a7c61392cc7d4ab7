// Who may call which route: one table for the whole API, so a reviewer can read the access model in one place.
// Keys are the method and the route's pattern as registered. A write route missing here needs an admin
// (fail closed); a read route missing here needs any signed-in user.
import type { Role } from '../../contract/auth';

export type Access = 'public' | Role;
export interface Rule {
  access: Access;
  /** Completes "… needs the editor role" in a 403, so the person knows what they tried and what to ask for. */
  what: string;
}

const RULES: Record<string, Rule> = {
  'GET /api/health': { access: 'public', what: 'Checking health' },
  // The route itself answers 401 when nobody is signed in (the page asks it who is).
  'GET /api/session': { access: 'public', what: 'Reading the session' },
  'POST /api/session': { access: 'public', what: 'Signing in' },
  'DELETE /api/session': { access: 'viewer', what: 'Signing out' },
  'POST /api/session/password': { access: 'viewer', what: 'Changing your password' },
  'GET /api/tokens': { access: 'viewer', what: 'Listing your API tokens' },
  'POST /api/tokens': { access: 'viewer', what: 'Creating an API token' },
  'DELETE /api/tokens/:id': { access: 'viewer', what: 'Revoking an API token' },
  'GET /api/users': { access: 'admin', what: 'Listing users' },
  'POST /api/users': { access: 'admin', what: 'Adding a user' },
  'PATCH /api/users/:id': { access: 'admin', what: 'Changing a user' },
  'DELETE /api/users/:id': { access: 'admin', what: 'Deleting a user' },

  'GET /api/assets': { access: 'viewer', what: 'Listing assets' },
  'GET /api/assets/:id': { access: 'viewer', what: 'Reading an asset' },
  'GET /api/assets/:id/versions/:n/model.glb': { access: 'viewer', what: 'Previewing a model' },
  'GET /api/assets/:id/thumbnail.jpg': { access: 'viewer', what: 'Showing a thumbnail' },
  'GET /api/assets/:id/download': { access: 'viewer', what: 'Downloading an asset' },
  'POST /api/assets': { access: 'editor', what: 'Creating an asset' },
  'DELETE /api/assets/:id': { access: 'admin', what: 'Deleting an asset' },
  'POST /api/assets/:id/approve': { access: 'editor', what: 'Approving a step' },
  'POST /api/assets/:id/next-step': { access: 'editor', what: 'Starting the next step' },
  'DELETE /api/assets/:id/next-step': { access: 'editor', what: 'Stopping the countdown' },
  'POST /api/assets/:id/revisions': { access: 'editor', what: 'Requesting revisions' },
  'POST /api/assets/:id/versions': { access: 'editor', what: 'Uploading a new version' },
  'POST /api/assets/:id/retry': { access: 'editor', what: 'Retrying a step' },
};

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const isSafeMethod = (method: string) => SAFE_METHODS.has(method);

export function ruleFor(method: string, routeUrl: string): Rule {
  const key = `${method === 'HEAD' ? 'GET' : method} ${routeUrl}`;
  return RULES[key] ?? (isSafeMethod(method) ? { access: 'viewer', what: 'Reading this' } : { access: 'admin', what: 'This action' });
}

/** Every rule, for the README's roles table test. */
export const ALL_RULES: Readonly<Record<string, Rule>> = RULES;
