// Sign-in, sessions, API tokens and users. Shared by the server's validation and the page's parsing.
import { z } from 'zod';
import { noHiddenCharacters } from './text';

export const ROLES = ['viewer', 'editor', 'admin'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

/** What each role may do, for tables and messages; the server's policy lives in src/server/auth/policy.ts. */
export const ROLE_SUMMARY: Record<Role, string> = {
  viewer: 'Browse, preview and download assets',
  editor: 'Also create assets, approve steps, request revisions, upload versions and retry',
  admin: 'Also delete assets and manage users',
};

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };
/** True when `role` may do what `needed` may do. */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

export const AUTH_LIMITS = {
  emailMax: 254,
  userNameMax: 80,
  /** New passwords only; sign-in accepts whatever was set before this rule. */
  passwordMin: 12,
  passwordMax: 256,
  tokenNameMax: 80,
  tokensPerUserMax: 50,
} as const;

/** The cookie holding the session id (httpOnly, SameSite=Strict). */
export const SESSION_COOKIE = 'af_session';
/** Cookie-authenticated writes must echo the session's CSRF token in this header. */
export const CSRF_HEADER = 'x-csrf-token';
/** Prefix of API token secrets, so a leaked one is recognisable (and greppable by secret scanners). */
export const TOKEN_PREFIX = 'aft_';

export const EmailSchema = z
  .string({ error: (iss) => (iss.input === undefined ? 'Email is required' : 'Email must be text') })
  .transform((s) => s.trim().toLowerCase())
  .pipe(z.email('Enter an email address like name@studio.com').max(AUTH_LIMITS.emailMax));

/** A password is never trimmed: spaces are characters too. */
export const PasswordSchema = z
  .string({ error: (iss) => (iss.input === undefined ? 'Password is required' : 'Password must be text') })
  .min(AUTH_LIMITS.passwordMin, `Password must be at least ${AUTH_LIMITS.passwordMin} characters`)
  .max(AUTH_LIMITS.passwordMax, `Password must be at most ${AUTH_LIMITS.passwordMax} characters`);

/** A password's letters and digits, lower-cased: "Lead.Smith" and "leadsmith" are the same guess. */
const lettersOf = (s: string) => s.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

/** Fewer different characters than this, and a password is a pattern however long ("aaaaaaaaaaaa"). */
const DISTINCT_MIN = 5;

/**
 * A password that is one pattern end to end, guessed early whatever its length: few different characters
 * ("aaaaaaaaaaaa", "121212121212"), a short block repeated ("abcabcabcabc"), or one straight run up or down the
 * alphabet or the digits ("abcdefghijkl", "210987654321", wrapping from 9 to 0). Null when it is none of these.
 */
export function patternPasswordProblem(password: string): string | null {
  const chars = [...password.normalize('NFKC').toLowerCase()];
  const run = (step: number) =>
    chars.every((c, i) => {
      if (i === 0) return true;
      const prev = chars[i - 1] as string;
      const digits = /\d/.test(c) && /\d/.test(prev);
      const d = (c.codePointAt(0) ?? 0) - (prev.codePointAt(0) ?? 0);
      return d === step || (digits && (d + 10) % 10 === (step + 10) % 10);
    });
  const repeated = /^(.{1,4})\1+.{0,3}$/su.test(chars.join(''));
  if (new Set(chars).size < DISTINCT_MIN || repeated || run(1) || run(-1)) {
    return 'Password is a pattern that is guessed early (one character or block repeated, or a straight run like “abcdef…”). A few unrelated words make a strong one.';
  }
  return null;
}

/**
 * The rules a new password must meet that need to know whose it is: not the account's email, not the part before
 * the @ (nor containing it, when that part has 4 or more letters), not the person's name. Compared on letters and
 * digits only, ignoring case, and also with digits added at either end taken off ("leadsmith2024"). The server
 * checks these and the list of common passwords (src/server/auth/password-policy.ts); the page checks these first.
 */
export function personalPasswordProblem(password: string, who: { email: string; name?: string | undefined }): string | null {
  // Checked here too, so the page says it before sending: a pattern needs no list to be refused.
  const pattern = patternPasswordProblem(password);
  if (pattern) return pattern;
  const pw = lettersOf(password);
  const core = pw.replace(/^\p{N}+|\p{N}+$/gu, '');
  const same = (other: string) => {
    const o = lettersOf(other);
    return o.length > 0 && (pw === o || core === o);
  };
  const email = who.email.trim().toLowerCase();
  const local = lettersOf(email.split('@')[0] ?? '');
  if (same(email)) return 'Password must not be the account’s email address.';
  if (local.length >= 4 ? pw.includes(local) : same(local)) {
    return 'Password must not contain the part of the email address before the @.';
  }
  if (who.name !== undefined && same(who.name)) return 'Password must not be the account’s name.';
  return null;
}

const DisplayNameSchema = z
  .string()
  .transform((s) => s.trim())
  .pipe(
    z
      .string()
      .min(1, 'Name is required')
      .max(AUTH_LIMITS.userNameMax, `Name must be at most ${AUTH_LIMITS.userNameMax} characters`)
      .superRefine(noHiddenCharacters('Name')),
  );

/** Sign-in checks only presence and size: the password rules are for new passwords. */
export const SignInSchema = z.strictObject({
  email: z.string({ error: 'Email is required' }).max(AUTH_LIMITS.emailMax).transform((s) => s.trim().toLowerCase()),
  password: z.string({ error: 'Password is required' }).min(1, 'Password is required').max(AUTH_LIMITS.passwordMax),
});
export type SignInRequest = z.input<typeof SignInSchema>;

export const UserSchema = z.strictObject({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: RoleSchema,
  created_at: z.number().int(),
});
export type User = z.infer<typeof UserSchema>;

/** GET/POST /api/session. `auth` is "off" when the server runs single-user (AUTH=off); then there is no cookie. */
export const SessionSchema = z.strictObject({
  user: UserSchema,
  csrf_token: z.string().nullable(),
  auth: z.enum(['on', 'off']),
});
export type Session = z.infer<typeof SessionSchema>;

export const CreateUserSchema = z
  .strictObject({
    email: EmailSchema,
    name: DisplayNameSchema,
    role: RoleSchema,
    password: PasswordSchema,
  })
  .superRefine((v, ctx) => {
    const problem = personalPasswordProblem(v.password, v);
    if (problem) ctx.addIssue({ code: 'custom', path: ['password'], message: problem });
  });
export type CreateUserRequest = z.input<typeof CreateUserSchema>;

export const UpdateUserSchema = z
  .strictObject({
    name: DisplayNameSchema.optional(),
    role: RoleSchema.optional(),
    password: PasswordSchema.optional(),
  })
  .refine((v) => v.name !== undefined || v.role !== undefined || v.password !== undefined, 'Nothing to change');
export type UpdateUserRequest = z.input<typeof UpdateUserSchema>;

export const UserListSchema = z.strictObject({ users: z.array(UserSchema) });

export const ChangePasswordSchema = z.strictObject({
  current_password: z.string({ error: 'Current password is required' }).min(1).max(AUTH_LIMITS.passwordMax),
  new_password: PasswordSchema,
  /**
   * Revoke every API token of the account too. On unless turned off: a password is changed most often because
   * someone else may have had it, and a token they made with it would otherwise keep working.
   */
  revoke_tokens: z.boolean({ error: 'revoke_tokens must be true or false' }).default(true),
});
export type ChangePasswordRequest = z.input<typeof ChangePasswordSchema>;

export const ApiTokenSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  /** The first characters of the secret, to tell tokens apart; the secret itself is shown once. */
  hint: z.string(),
  created_at: z.number().int(),
  last_used_at: z.number().int().nullable(),
});
export type ApiToken = z.infer<typeof ApiTokenSchema>;

export const CreateTokenSchema = z.strictObject({
  name: z
    .string({ error: 'Token name is required' })
    .transform((s) => s.trim())
    .pipe(
      z
        .string()
        .min(1, 'Token name is required')
        .max(AUTH_LIMITS.tokenNameMax, `Token name must be at most ${AUTH_LIMITS.tokenNameMax} characters`)
        .superRefine(noHiddenCharacters('Token name')),
    ),
  /** The owner's password, asked again: a borrowed or stolen session alone cannot make a lasting credential. */
  password: z
    .string({ error: 'Enter your current password to create a token' })
    .min(1, 'Enter your current password to create a token')
    .max(AUTH_LIMITS.passwordMax),
});
export type CreateTokenRequest = z.input<typeof CreateTokenSchema>;

/** POST /api/tokens: the only response that carries the secret. */
export const CreatedTokenSchema = z.strictObject({ token: ApiTokenSchema, secret: z.string() });
export const TokenListSchema = z.strictObject({ tokens: z.array(ApiTokenSchema) });

export const UserIdParamsSchema = z.strictObject({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a valid id') });
