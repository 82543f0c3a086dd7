import { KitError } from '../errors.ts';

/** The longest breed a request may name, in UTF-16 code units (Java's String.length() in VTL agrees). */
export const MAX_BREED_LENGTH = 64;

export const INVALID_BREED_MESSAGE = `breed must be 1 to ${MAX_BREED_LENGTH} characters long`;

/** The message of a 400 for a path the backend cannot decode (Express's wording in apprunner-svc/app.ts). */
export const BAD_REQUEST_MESSAGE = 'the request could not be parsed';

/** A request named a breed that cannot be valid. Maps to HTTP 400 on every backend. */
export class InvalidBreedError extends KitError {
  readonly status = 400;
  constructor(context: Record<string, unknown> = {}) {
    super('INVALID_BREED', INVALID_BREED_MESSAGE, { context });
  }
}

/** The `{breed}` segment is percent-encoded bytes that are not UTF-8. Maps to HTTP 400 BAD_REQUEST. */
export class MalformedBreedEncodingError extends KitError {
  readonly status = 400;
  constructor(context: Record<string, unknown> = {}) {
    super('BAD_REQUEST', BAD_REQUEST_MESSAGE, { context });
  }
}

/** A `%` that does not start a `%XY` escape: the text cannot be percent-encoded, so it was decoded already. */
const STRAY_PERCENT = /%(?![0-9A-Fa-f]{2})/;

/**
 * The `{breed}` path parameter as API Gateway hands it on: the path segment exactly as the client sent
 * it, percent-escapes included (REST API, Lambda proxy; see docs/aws-fidelity.md). Decoded here once,
 * with path semantics: `%XY` escapes are UTF-8 bytes, `+` is a literal plus (the runner sends `+` as
 * `%2B` anyway). A value with a `%` that starts no escape cannot be encoded text, so it is taken as
 * already decoded: the handler is right whether or not API Gateway decoded the parameter, for every
 * breed without a literal `%XY` in its name. The VTL templates apply the same rule (templates/direct,
 * templates/sfn); Express (apprunner-svc) decodes with decodeURIComponent, which agrees.
 */
export function decodeBreedParam(raw: string | undefined | null): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (STRAY_PERCENT.test(raw)) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new MalformedBreedEncodingError({ raw: raw.slice(0, 200) });
  }
}

/** Validates the decoded `{breed}` path parameter: 1 to 64 UTF-16 units, checked after decoding. */
export function parseBreedParam(raw: string | undefined | null): string {
  if (raw === undefined || raw === null || raw.length === 0 || raw.length > MAX_BREED_LENGTH) {
    throw new InvalidBreedError({ length: raw?.length ?? 0 });
  }
  return raw;
}
