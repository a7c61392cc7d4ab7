// Text a person types that others will read: names, notes, file names. Some characters never show but change what
// the text around them looks like (a right-to-left override makes "gnp.exe" read "exe.png"), or hide inside it.
import type { z } from 'zod';

/**
 * Controls (Cc), format characters (Cf: bidi overrides and isolates, zero-width spaces, soft hyphens) and the
 * line and paragraph separators (Zl, Zp).
 */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const HIDDEN_ALL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
/**
 * Zero-width non-joiner and joiner between two letters or emoji of a script that needs them (Persian, the Indic
 * scripts, emoji sequences such as 👩‍🔧) are part of the word, not a trick; between ASCII letters they only hide.
 */
const JOINER_IN_WORD = /(?<=[\p{L}\p{M}\p{Extended_Pictographic}\p{Emoji_Modifier}])(?<![A-Za-z])[\u200C\u200D](?=[\p{L}\p{M}\p{Extended_Pictographic}])(?![A-Za-z])/gu;

/** The first hidden character in `text` as "U+202E", or null; `allow` lists characters that are fine here (a note's line breaks). */
export function hiddenCharacter(text: string, allow: readonly string[] = []): string | null {
  for (const m of text.replace(JOINER_IN_WORD, '').matchAll(HIDDEN_ALL)) {
    if (allow.includes(m[0])) continue;
    return `U+${(m[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return null;
}

/** Removes every hidden character, joiners included: for a file name, where nothing may be invisible. */
export function stripHidden(text: string): string {
  return HIDDEN.test(text) ? text.replace(HIDDEN_ALL, '') : text;
}

/** A zod check that `what` has no hidden characters (besides `allow`), saying which one it found. */
export function noHiddenCharacters(what: string, allow: readonly string[] = []) {
  return (text: string, ctx: z.RefinementCtx) => {
    const found = hiddenCharacter(text, allow);
    if (found) ctx.addIssue({ code: 'custom', message: `${what} must not contain invisible or control characters (found ${found})` });
  };
}
