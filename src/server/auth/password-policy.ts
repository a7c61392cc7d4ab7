// The rules every new password meets, wherever it is set (adding a user, changing or resetting a password, the
// first admin from ADMIN_PASSWORD, the admin command): the contract's length and personal rules, and not one of the
// most common passwords. The list is read once, on the first password set, so a server that only signs people in
// never loads it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PasswordSchema, personalPasswordProblem } from '../../contract/auth';
import { badRequest } from '../errors';
import { generatePassword } from './passwords';

/** zxcvbn's list of leaked passwords, most used first (about 49,000, lower case; MIT). */
const LIST_PATH = '@zxcvbn-ts/language-common/src/passwords.json';

let common: Set<string> | undefined;

function commonPasswords(): Set<string> {
  if (!common) {
    const file = createRequire(import.meta.url).resolve(LIST_PATH);
    const list: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (!Array.isArray(list)) throw new Error(`${LIST_PATH} is not a list of passwords`);
    common = new Set(list.filter((p): p is string => typeof p === 'string'));
  }
  return common;
}

/**
 * True for a common password, also with digits or symbols added at either end ("password1234!", "!!qwerty2024"),
 * the usual way a short common password is stretched to a length rule. Spaces count as letters here, so a phrase
 * of common words is not refused for containing them.
 */
export function isCommonPassword(password: string): boolean {
  const lower = password.normalize('NFKC').toLowerCase();
  const list = commonPasswords();
  if (list.has(lower)) return true;
  const core = lower.replace(/^[\p{N}\p{P}\p{S}]+|[\p{N}\p{P}\p{S}]+$/gu, '');
  return core.length > 0 && list.has(core);
}

/** What is wrong with `password` as a new password for this account, in a sentence; null when nothing is. */
export function newPasswordProblem(password: string, who: { email: string; name?: string | undefined }): string | null {
  const length = PasswordSchema.safeParse(password);
  if (!length.success) return `${length.error.issues[0]?.message ?? 'Password is not valid'}.`;
  const personal = personalPasswordProblem(password, who);
  if (personal) return personal;
  if (isCommonPassword(password)) {
    return 'Password is one of the most common passwords (or one with digits or symbols added), which are guessed first. A few unrelated words make a strong one.';
  }
  return null;
}

/** A generated password (passwords.ts) that meets every rule for this account; the first one almost always does. */
export function generatePasswordFor(who: { email: string; name?: string | undefined }): string {
  for (;;) {
    const password = generatePassword();
    if (newPasswordProblem(password, who) === null) return password;
  }
}

/** Throws the 400 for a password that breaks a rule. */
export function assertNewPassword(password: string, who: { email: string; name?: string | undefined }): void {
  const problem = newPasswordProblem(password, who);
  if (problem) throw badRequest(problem);
}
