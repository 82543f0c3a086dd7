import { KitError } from '../errors.ts';

/** The longest breed a request may name, in UTF-16 code units (Java's String.length() in VTL agrees). */
export const MAX_BREED_LENGTH = 64;

export const INVALID_BREED_MESSAGE = `breed must be 1 to ${MAX_BREED_LENGTH} characters long`;

/** A request named a breed that cannot be valid. Maps to HTTP 400 on every backend. */
export class InvalidBreedError extends KitError {
  readonly status = 400;
  constructor(context: Record<string, unknown> = {}) {
    super('INVALID_BREED', INVALID_BREED_MESSAGE, { context });
  }
}

/** Validates the decoded `{breed}` path parameter. */
export function parseBreedParam(raw: string | undefined | null): string {
  if (raw === undefined || raw === null || raw.length === 0 || raw.length > MAX_BREED_LENGTH) {
    throw new InvalidBreedError({ length: raw?.length ?? 0 });
  }
  return raw;
}
