// Validates request parts with the contract's schemas; the first problem becomes a 400 a person can read.
import type { z } from 'zod';
import { badRequest } from '../errors';

export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw badRequest(`Invalid ${what}.`);
  if (issue.code === 'unrecognized_keys') {
    throw badRequest(`Unknown ${what} field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}.`);
  }
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  throw badRequest(`Invalid ${what}: ${where}${issue.message}`);
}
