// Validates request parts with the contract's schemas; the first problem becomes a 400 a person can read.
import type { z } from 'zod';
import { badRequest } from '../errors';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/** At most `max` UTF-16 units of `s`, never cutting a surrogate pair in half; for echoing client text in messages. */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  const end = /[\uD800-\uDBFF]/.test(s.charAt(max - 1)) ? max - 1 : max;
  return `${s.slice(0, end)}…`;
}

/** How many unknown field names a refusal quotes, and how much of each. */
const QUOTED_KEYS = 5;
const QUOTED_KEY_CHARS = 40;

/**
 * The path of the first key or string holding a lone surrogate, or null. Such text cannot be stored as UTF-8
 * unchanged (SQLite would keep U+FFFD instead), so it is refused rather than silently altered. Iterative, since a
 * JSON body may nest deeper than the call stack.
 */
function illFormedText(value: unknown): string | null {
  const stack: { v: unknown; path: string }[] = [{ v: value, path: '' }];
  while (stack.length > 0) {
    const { v, path } = stack.pop() as { v: unknown; path: string };
    if (typeof v === 'string') {
      if (LONE_SURROGATE.test(v)) return path;
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, child] of Object.entries(v)) {
        const childPath = path ? `${path}.${k}` : k;
        if (LONE_SURROGATE.test(k)) return childPath;
        stack.push({ v: child, path: childPath });
      }
    }
  }
  return null;
}

export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const illFormed = illFormedText(value);
  if (illFormed !== null) {
    const where = illFormed ? `${clip(illFormed.replace(LONE_SURROGATES, '\uFFFD'), QUOTED_KEY_CHARS)}: ` : '';
    throw badRequest(`Invalid ${what}: ${where}text must be valid Unicode (it contains a lone surrogate).`);
  }
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw badRequest(`Invalid ${what}.`);
  if (issue.code === 'unrecognized_keys') {
    const quoted = issue.keys.slice(0, QUOTED_KEYS).map((k) => clip(k, QUOTED_KEY_CHARS));
    const more = issue.keys.length > quoted.length ? ` (and ${issue.keys.length - quoted.length} more)` : '';
    throw badRequest(`Unknown ${what} field${issue.keys.length > 1 ? 's' : ''}: ${quoted.join(', ')}${more}.`);
  }
  const where = issue.path.length ? `${clip(issue.path.join('.'), QUOTED_KEY_CHARS)}: ` : '';
  throw badRequest(`Invalid ${what}: ${where}${issue.message}`);
}
