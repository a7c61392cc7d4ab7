// Accounts, sessions and API tokens. Secrets leave this module once (the cookie value, the token secret) and
// are stored only as SHA-256 hashes, so a copy of the database signs nobody in.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { TOKEN_PREFIX, AUTH_LIMITS, type ApiToken, type Role, type User } from '../../contract/auth';
import { HttpError, notFound } from '../errors';
import type { Db } from '../storage/database';
import { assertNewPassword } from './password-policy';
import { DEFAULT_COST, hashPassword, verifyPassword, type ScryptCost } from './passwords';

/** Signed-in sessions end after this long without use… */
export const SESSION_IDLE_MS = 7 * 24 * 3600_000;
/** …and after this long in any case. */
export const SESSION_MAX_MS = 30 * 24 * 3600_000;
/** last_seen and last_used are written at most this often, so polling does not turn into writes. */
const TOUCH_EVERY_MS = 60_000;

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  password_hash: string;
  created_at: number;
}
interface SessionRow {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}
interface TokenRow {
  id: string;
  user_id: string;
  name: string;
  hint: string;
  created_at: number;
  last_used_at: number | null;
}

export interface SessionAuth {
  user: User;
  sessionHash: string;
  csrfToken: string;
}

export interface PasswordChange {
  current: string;
  next: string;
  /** This browser's session, which stays signed in; every other session of the account ends. */
  keepSessionHash: string | null;
  /** Also revoke every API token of the account. */
  revokeTokens: boolean;
}

export interface AuthService {
  userCount(): number;
  /** Refuses (400) a password that breaks a rule of password-policy.ts, as do updateUser and changePassword. */
  createUser(input: { email: string; name: string; role: Role; password: string }): Promise<User>;
  listUsers(): User[];
  getUser(id: string): User | undefined;
  /** A new password here is an admin's reset: every session and API token of the account ends. */
  updateUser(id: string, change: { name?: string; role?: Role; password?: string }): Promise<User>;
  deleteUser(id: string, actingUserId: string): void;
  /** The user for these credentials, or undefined; takes the same time whether or not the email exists. */
  checkCredentials(email: string, password: string): Promise<User | undefined>;
  /** False (and nothing changed) when `current` is wrong. */
  changePassword(userId: string, change: PasswordChange): Promise<boolean>;
  /** Whether `password` is this user's password (to confirm a sensitive action). */
  checkPassword(userId: string, password: string): Promise<boolean>;
  startSession(userId: string): { cookieValue: string; csrfToken: string };
  /** The session behind a cookie value, sliding its idle expiry; undefined when unknown or expired. */
  resolveSession(cookieValue: string): SessionAuth | undefined;
  endSession(sessionHash: string): void;
  createToken(userId: string, name: string): { token: ApiToken; secret: string };
  listTokens(userId: string): ApiToken[];
  revokeToken(userId: string, tokenId: string): void;
  /** The user behind a Bearer secret, or undefined. */
  resolveToken(secret: string): User | undefined;
}

/** The owner's columns a session or token lookup joins in. */
interface OwnerColumns {
  user_id: string;
  u_email: string;
  u_name: string;
  u_role: Role;
  u_created_at: number;
}
const ownerOf = (r: OwnerColumns): User => ({ id: r.user_id, email: r.u_email, name: r.u_name, role: r.u_role, created_at: r.u_created_at });

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const toUser = (r: UserRow): User => ({ id: r.id, email: r.email, name: r.name, role: r.role, created_at: r.created_at });
const toToken = (r: TokenRow): ApiToken => ({
  id: r.id,
  name: r.name,
  hint: r.hint,
  created_at: r.created_at,
  last_used_at: r.last_used_at,
});

export function createAuthService(db: Db, o: { now?: () => number; passwordCost?: ScryptCost } = {}): AuthService {
  const now = o.now ?? Date.now;
  const cost = o.passwordCost ?? DEFAULT_COST;
  // Compared against when an email is unknown, so a miss costs as much as a wrong password.
  const decoy = hashPassword(randomBytes(16).toString('hex'), cost);

  const q = {
    count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM users'),
    adminCount: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM users WHERE role = 'admin'"),
    insertUser: db.prepare(
      'INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES (@id, @email, @name, @role, @password_hash, @created_at)',
    ),
    userById: db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?'),
    userByEmail: db.prepare<[string], UserRow>('SELECT * FROM users WHERE email = ?'),
    users: db.prepare<[], UserRow>('SELECT * FROM users ORDER BY created_at, email'),
    setName: db.prepare<[string, string]>('UPDATE users SET name = ? WHERE id = ?'),
    setRole: db.prepare<[string, string]>('UPDATE users SET role = ? WHERE id = ?'),
    setPassword: db.prepare<[string, string]>('UPDATE users SET password_hash = ? WHERE id = ?'),
    deleteUser: db.prepare<[string]>('DELETE FROM users WHERE id = ?'),
    insertSession: db.prepare(
      'INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES (@id_hash, @user_id, @csrf_token, @created_at, @last_seen_at, @expires_at)',
    ),
    // Every signed-in request asks these: one statement each, the owner's row joined in.
    sessionWithUser: db.prepare<[string], SessionRow & OwnerColumns>(
      `SELECT s.*, u.email AS u_email, u.name AS u_name, u.role AS u_role, u.created_at AS u_created_at
       FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?`,
    ),
    touchSession: db.prepare<[number, number, string]>('UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id_hash = ?'),
    deleteSession: db.prepare<[string]>('DELETE FROM sessions WHERE id_hash = ?'),
    deleteOtherSessions: db.prepare<[string, string]>('DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?'),
    deleteUserSessions: db.prepare<[string]>('DELETE FROM sessions WHERE user_id = ?'),
    deleteUserTokens: db.prepare<[string]>('DELETE FROM api_tokens WHERE user_id = ?'),
    purgeSessions: db.prepare<[number]>('DELETE FROM sessions WHERE expires_at <= ?'),
    insertToken: db.prepare(
      'INSERT INTO api_tokens (id, user_id, name, hint, secret_hash, created_at) VALUES (@id, @user_id, @name, @hint, @secret_hash, @created_at)',
    ),
    tokens: db.prepare<[string], TokenRow>(
      'SELECT id, user_id, name, hint, created_at, last_used_at FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC, id',
    ),
    tokenCount: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM api_tokens WHERE user_id = ?'),
    tokenWithUser: db.prepare<[string], Pick<TokenRow, 'id' | 'user_id' | 'last_used_at'> & OwnerColumns>(
      `SELECT t.id, t.user_id, t.last_used_at, u.email AS u_email, u.name AS u_name, u.role AS u_role,
         u.created_at AS u_created_at
       FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.secret_hash = ?`,
    ),
    touchToken: db.prepare<[number, string]>('UPDATE api_tokens SET last_used_at = ? WHERE id = ?'),
    deleteToken: db.prepare<[string, string]>('DELETE FROM api_tokens WHERE id = ? AND user_id = ?'),
  };

  // Expired sessions are removed at start; the rest expire lazily when presented.
  q.purgeSessions.run(now());

  function requireUser(id: string): UserRow {
    const row = q.userById.get(id);
    if (!row) throw notFound('No user with that id.');
    return row;
  }

  return {
    userCount: () => q.count.get()?.n ?? 0,

    async createUser({ email, name, role, password }) {
      assertNewPassword(password, { email, name });
      const password_hash = await hashPassword(password, cost);
      const row: UserRow = { id: randomUUID(), email, name, role, password_hash, created_at: now() };
      // Checked after hashing (which yields), so two requests for one email cannot both pass the check.
      if (q.userByEmail.get(email)) throw new HttpError(409, 'conflict', `A user with the email ${email} already exists.`);
      q.insertUser.run(row);
      return toUser(row);
    },

    listUsers: () => q.users.all().map(toUser),
    getUser: (id) => {
      const row = q.userById.get(id);
      return row ? toUser(row) : undefined;
    },

    async updateUser(id, change) {
      const before = requireUser(id);
      if (change.password !== undefined) assertNewPassword(change.password, { email: before.email, name: change.name ?? before.name });
      const password_hash = change.password === undefined ? undefined : await hashPassword(change.password, cost);
      db.transaction(() => {
        const row = requireUser(id);
        if (change.role !== undefined && change.role !== 'admin' && row.role === 'admin' && (q.adminCount.get()?.n ?? 0) <= 1) {
          throw new HttpError(409, 'conflict', `${row.email} is the only admin; make someone else an admin first.`);
        }
        if (change.name !== undefined) q.setName.run(change.name, id);
        if (change.role !== undefined) q.setRole.run(change.role, id);
        if (password_hash !== undefined) {
          q.setPassword.run(password_hash, id);
          // A reset is what an admin does when an account may be in the wrong hands: every session and every API
          // token of it stops working (a token made with a stolen session would otherwise outlive the reset).
          q.deleteUserSessions.run(id);
          q.deleteUserTokens.run(id);
        }
      })();
      return toUser(requireUser(id));
    },

    deleteUser(id, actingUserId) {
      db.transaction(() => {
        const row = requireUser(id);
        if (id === actingUserId) throw new HttpError(409, 'conflict', 'You cannot delete your own account.');
        if (row.role === 'admin' && (q.adminCount.get()?.n ?? 0) <= 1) {
          throw new HttpError(409, 'conflict', `${row.email} is the only admin and cannot be deleted.`);
        }
        q.deleteUser.run(id); // sessions and tokens go with it (ON DELETE CASCADE)
      })();
    },

    async checkCredentials(email, password) {
      const row = q.userByEmail.get(email);
      if (!row) {
        await verifyPassword(password, await decoy);
        return undefined;
      }
      return (await verifyPassword(password, row.password_hash)) ? toUser(row) : undefined;
    },

    async changePassword(userId, { current, next, keepSessionHash, revokeTokens }) {
      const row = requireUser(userId);
      assertNewPassword(next, row);
      if (!(await verifyPassword(current, row.password_hash))) return false;
      const hash = await hashPassword(next, cost);
      db.transaction(() => {
        q.setPassword.run(hash, userId);
        // Every other browser signed in as this person is signed out; this one stays.
        if (keepSessionHash) q.deleteOtherSessions.run(userId, keepSessionHash);
        else q.deleteUserSessions.run(userId);
        if (revokeTokens) q.deleteUserTokens.run(userId);
      })();
      return true;
    },

    async checkPassword(userId, password) {
      return verifyPassword(password, requireUser(userId).password_hash);
    },

    startSession(userId) {
      const cookieValue = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(24).toString('base64url');
      const t = now();
      q.insertSession.run({
        id_hash: sha256(cookieValue),
        user_id: userId,
        csrf_token: csrfToken,
        created_at: t,
        last_seen_at: t,
        expires_at: Math.min(t + SESSION_IDLE_MS, t + SESSION_MAX_MS),
      });
      return { cookieValue, csrfToken };
    },

    resolveSession(cookieValue) {
      const idHash = sha256(cookieValue);
      const s = q.sessionWithUser.get(idHash);
      if (!s) return undefined;
      const t = now();
      if (s.expires_at <= t) {
        q.deleteSession.run(idHash);
        return undefined;
      }
      if (t - s.last_seen_at >= TOUCH_EVERY_MS) {
        q.touchSession.run(t, Math.min(t + SESSION_IDLE_MS, s.created_at + SESSION_MAX_MS), idHash);
      }
      return { user: ownerOf(s), sessionHash: idHash, csrfToken: s.csrf_token };
    },

    endSession(sessionHash) {
      q.deleteSession.run(sessionHash);
    },

    createToken(userId, name) {
      requireUser(userId);
      if ((q.tokenCount.get(userId)?.n ?? 0) >= AUTH_LIMITS.tokensPerUserMax) {
        throw new HttpError(409, 'conflict', `You have ${AUTH_LIMITS.tokensPerUserMax} tokens already; revoke one first.`);
      }
      const secret = TOKEN_PREFIX + randomBytes(32).toString('base64url');
      const row = {
        id: randomUUID(),
        user_id: userId,
        name,
        hint: secret.slice(0, TOKEN_PREFIX.length + 6),
        secret_hash: sha256(secret),
        created_at: now(),
      };
      q.insertToken.run(row);
      return { token: toToken({ ...row, last_used_at: null }), secret };
    },

    listTokens: (userId) => q.tokens.all(userId).map(toToken),

    revokeToken(userId, tokenId) {
      if (q.deleteToken.run(tokenId, userId).changes === 0) throw notFound('No token with that id.');
    },

    resolveToken(secret) {
      if (!secret.startsWith(TOKEN_PREFIX) || secret.length > 200) return undefined;
      const token = q.tokenWithUser.get(sha256(secret));
      if (!token) return undefined;
      const t = now();
      if (token.last_used_at === null || t - token.last_used_at >= TOUCH_EVERY_MS) q.touchToken.run(t, token.id);
      return ownerOf(token);
    },
  };
}
