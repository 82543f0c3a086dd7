import type { BadBodySample } from './tally.ts';

/**
 * What a 2xx body must be, as plain JSON (it travels to worker threads and Lambda load workers).
 * - `none`: bodies are not checked;
 * - `breed-page`: the body of `GET /turkeys/{breed}` (lib/turkeys/transform.ts): `expected` maps each
 *   request path to its breed and the count the seeded data set holds for it.
 *
 * How (docs/runner.md, "Body check"): EVERY 2xx body is checked for its breed and count by reading
 * the body's first bytes (`{"breed":"...","count":N,`, the key order every backend writes); one in
 * `fullParseEvery` 2xx bodies, and every body whose first bytes do not have that shape, is parsed
 * whole with JSON.parse and also checked for `turkeys` holding `count` items.
 */
export type ResponseCheck =
  | { kind: 'none' }
  | { kind: 'breed-page'; expected: Record<string, { breed: string; count: number }>; fullParseEvery: number };

/** One in this many 2xx bodies is parsed whole (the others are checked from their first bytes). */
export const DEFAULT_FULL_PARSE_EVERY = 32;

/** Bytes of the body the prefix check reads. */
const HEAD_BYTES = 512;
// {"breed":"<JSON string>","count":<int>  followed by , or }
const HEAD_RE = /^\s*\{\s*"breed"\s*:\s*"((?:[^"\\]|\\.)*)"\s*,\s*"count"\s*:\s*(-?\d+)\s*[,}]/;

export interface BreedPageExpectation {
  breed: string;
  count: number;
}

/** The check for a plan whose `paths[i]` asks for `breeds[i]`; `counts` from the seeded data set. */
export function breedPageCheck(
  paths: readonly string[],
  breeds: readonly string[],
  counts: ReadonlyMap<string, number>,
  fullParseEvery = DEFAULT_FULL_PARSE_EVERY,
): ResponseCheck {
  const expected: Record<string, BreedPageExpectation> = {};
  paths.forEach((p, i) => {
    const breed = breeds[i]!;
    expected[p] = { breed, count: counts.get(breed) ?? 0 };
  });
  return { kind: 'breed-page', expected, fullParseEvery };
}

/** A compiled check: `verdict(path, chunks, full)` returns null for a good body, else what is wrong. */
export interface BodyChecker {
  /** False when bodies are not checked (the engine then keeps no chunks). */
  readonly active: boolean;
  /** `full`: parse the whole body even if the head looks right. Sets `fullyParsed` when it did. */
  verdict(path: string, chunks: readonly Buffer[], full: boolean): BadBodySample | null;
  /** Whether the last verdict parsed the whole body. */
  fullyParsed: boolean;
  readonly fullParseEvery: number;
}

export function compileCheck(check: ResponseCheck): BodyChecker {
  if (check.kind === 'none') return { active: false, fullyParsed: false, fullParseEvery: 0, verdict: () => null };
  const expected = new Map(Object.entries(check.expected));
  const checker: BodyChecker = {
    active: true,
    fullyParsed: false,
    fullParseEvery: Math.max(1, Math.floor(check.fullParseEvery)),
    verdict(path, chunks, full) {
      checker.fullyParsed = false;
      const want = expected.get(path);
      if (want === undefined) return null;
      if (!full) {
        const head = headOf(chunks);
        const m = HEAD_RE.exec(head);
        if (m) {
          let breed = m[1]!;
          if (breed.includes('\\')) {
            try {
              breed = JSON.parse(`"${breed}"`) as string;
            } catch {
              return { kind: 'unparseable', path, detail: `breed is not a JSON string: ${head.slice(0, 80)}` };
            }
          }
          return judge(path, want, breed, Number(m[2]), undefined);
        }
      }
      checker.fullyParsed = true;
      return fullVerdict(path, want, chunks);
    },
  };
  return checker;
}

function headOf(chunks: readonly Buffer[]): string {
  const first = chunks[0];
  if (first === undefined) return '';
  if (first.length >= HEAD_BYTES || chunks.length === 1) return first.toString('utf8', 0, Math.min(first.length, HEAD_BYTES));
  return Buffer.concat(chunks as unknown as readonly Uint8Array[]).toString('utf8', 0, HEAD_BYTES);
}

function fullVerdict(path: string, want: BreedPageExpectation, chunks: readonly Buffer[]): BadBodySample | null {
  const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks as unknown as readonly Uint8Array[]).toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    return { kind: 'unparseable', path, detail: `${(err as Error).message}; body starts ${JSON.stringify(text.slice(0, 80))}` };
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { kind: 'unparseable', path, detail: `not a JSON object: ${text.slice(0, 80)}` };
  }
  const page = body as { breed?: unknown; count?: unknown; turkeys?: unknown };
  return judge(path, want, page.breed, page.count, page.turkeys);
}

function judge(path: string, want: BreedPageExpectation, breed: unknown, count: unknown, turkeys: unknown): BadBodySample | null {
  if (breed !== want.breed) return { kind: 'wrong_breed', path, detail: `breed ${JSON.stringify(breed)}, expected ${JSON.stringify(want.breed)}` };
  if (count !== want.count) return { kind: 'wrong_count', path, detail: `count ${JSON.stringify(count)}, the seeded data set holds ${want.count}` };
  if (turkeys !== undefined && (!Array.isArray(turkeys) || turkeys.length !== want.count)) {
    return { kind: 'incomplete', path, detail: `turkeys holds ${Array.isArray(turkeys) ? turkeys.length : typeof turkeys} items, count is ${want.count}` };
  }
  return null;
}
