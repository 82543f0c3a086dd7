import { isDeepStrictEqual } from 'node:util';
import { Pool } from 'undici';
import { INVALID_BREED_MESSAGE } from '../lib/turkeys/breed-param.ts';
import { BREEDS } from '../lib/turkeys/breeds.ts';
import { generateTurkeys } from '../lib/turkeys/generate.ts';
import { turkeysUrl, type Target } from '../lib/stage/targets.ts';

/**
 * Are the backends interchangeable? Every parity case is sent to every target; all must answer the
 * same status and the same JSON body (compared parsed), and that answer must be the expected one.
 * Run by the parity test on the local stage and by `node runner parity` against any stage, so a
 * deployment can be checked before it is measured.
 */
export interface ParityCase {
  label: string;
  /** Appended to each target's base URL. */
  path: string;
  expectedStatus: number;
  /** Checks the (common) body; returns a problem or undefined. */
  checkBody: (body: unknown) => string | undefined;
}

const EDGE_BREEDS: { label: string; breed: string; status: 200 | 400 }[] = [
  { label: 'unknown breed', breed: 'Dodo', status: 200 },
  { label: 'spaces and non-ASCII letters', breed: 'Grand Dindon Bleu de Gascogne Ünïcødé', status: 200 },
  { label: 'reserved URL characters', breed: 'a/b?c#d&e=f%g+h', status: 200 },
  { label: 'quotes and backslashes', breed: 'say "gobble" \\ twice', status: 200 },
  { label: '64 characters (the longest allowed)', breed: 'é'.repeat(64), status: 200 },
  { label: '65 characters', breed: 'x'.repeat(65), status: 400 },
  { label: '300 characters', breed: 'Overlong breed name '.repeat(15), status: 400 },
];

const expectEqual = (expected: unknown) => (body: unknown) =>
  isDeepStrictEqual(body, expected) ? undefined : `expected ${JSON.stringify(expected).slice(0, 160)}`;

/** The cases: every breed of the data set (with its expected count), then the edge cases. */
export function parityCases(): ParityCase[] {
  const counts = new Map<string, number>();
  for (const turkey of generateTurkeys()) counts.set(turkey.breed, (counts.get(turkey.breed) ?? 0) + 1);
  const breedCases = BREEDS.map(
    (breed): ParityCase => ({
      label: breed,
      path: turkeysUrl('', breed),
      expectedStatus: 200,
      checkBody: (body) => {
        const page = body as { breed?: unknown; count?: unknown; turkeys?: unknown[] };
        if (page.breed !== breed) return `breed is ${JSON.stringify(page.breed)}`;
        if (page.count !== counts.get(breed)) return `count ${String(page.count)}, the seeded table has ${counts.get(breed)} (is the table seeded?)`;
        if (!Array.isArray(page.turkeys) || page.turkeys.length !== page.count) return 'turkeys[] does not hold count items';
        return undefined;
      },
    }),
  );
  const edgeCases = EDGE_BREEDS.map(
    (edge): ParityCase => ({
      label: edge.label,
      path: turkeysUrl('', edge.breed),
      expectedStatus: edge.status,
      checkBody: expectEqual(
        edge.status === 200 ? { breed: edge.breed, count: 0, turkeys: [] } : { error: { code: 'INVALID_BREED', message: INVALID_BREED_MESSAGE } },
      ),
    }),
  );
  const malformed: ParityCase = {
    label: 'malformed percent-encoding',
    path: '/turkeys/%E0%A4%A',
    expectedStatus: 400,
    checkBody: (body) => ((body as { error?: { code?: unknown } }).error?.code === 'BAD_REQUEST' ? undefined : 'expected error.code BAD_REQUEST'),
  };
  return [...breedCases, ...edgeCases, malformed];
}

export interface ParityFailure {
  label: string;
  problem: string;
}

export interface ParityReport {
  targets: Target[];
  cases: number;
  failures: ParityFailure[];
}

interface Answer {
  status: number;
  body: unknown;
  problem?: string;
}

/** Sends every case to every target (one case at a time) and reports each difference found. */
export async function checkParity(
  urls: Partial<Record<Target, string>>,
  targets: readonly Target[],
  options: { cases?: ParityCase[]; timeoutMs?: number } = {},
): Promise<ParityReport> {
  const cases = options.cases ?? parityCases();
  const timeoutMs = options.timeoutMs ?? 29_000;
  const pools = new Map<Target, { pool: Pool; base: URL }>();
  for (const target of targets) {
    const base = new URL(urls[target]!);
    pools.set(target, { pool: new Pool(base.origin, { connections: 4, headersTimeout: timeoutMs, bodyTimeout: timeoutMs }), base });
  }
  const ask = async (target: Target, path: string): Promise<Answer> => {
    const { pool, base } = pools.get(target)!;
    try {
      const response = await pool.request({ method: 'GET', path: `${base.pathname.replace(/\/+$/, '')}${path}` });
      const text = await response.body.text();
      try {
        return { status: response.statusCode, body: JSON.parse(text) };
      } catch {
        return { status: response.statusCode, body: text, problem: `answered ${response.statusCode} with a body that is not JSON: ${text.slice(0, 120)}` };
      }
    } catch (error) {
      return { status: 0, body: null, problem: `no answer: ${(error as Error).message}` };
    }
  };
  const failures: ParityFailure[] = [];
  try {
    for (const c of cases) {
      const answers = await Promise.all(targets.map(async (target) => [target, await ask(target, c.path)] as const));
      const [reference, first] = answers[0]!;
      for (const [target, answer] of answers) {
        if (answer.problem) failures.push({ label: c.label, problem: `${target} ${answer.problem}` });
        else if (answer.status !== first.status) failures.push({ label: c.label, problem: `${target} answered ${answer.status}, ${reference} ${first.status}` });
        else if (!isDeepStrictEqual(answer.body, first.body)) failures.push({ label: c.label, problem: `${target} body differs from ${reference}'s` });
      }
      if (!first.problem) {
        if (first.status !== c.expectedStatus) failures.push({ label: c.label, problem: `${reference} answered ${first.status}, expected ${c.expectedStatus}` });
        else {
          const problem = c.checkBody(first.body);
          if (problem) failures.push({ label: c.label, problem: `${reference}: ${problem}` });
        }
      }
    }
  } finally {
    await Promise.all([...pools.values()].map(({ pool }) => pool.close()));
  }
  return { targets: [...targets], cases: cases.length, failures };
}

/** The lines `node runner parity` prints. */
export function formatParityReport(report: ParityReport, stage: string): string {
  const head = `parity (stage ${stage}): ${report.cases} cases x ${report.targets.length} targets (${report.targets.join(', ')})`;
  if (report.failures.length === 0) return `${head}: every answer identical and as expected`;
  const lines = report.failures.slice(0, 50).map((f) => `  ${f.label}: ${f.problem}`);
  if (report.failures.length > 50) lines.push(`  ... and ${report.failures.length - 50} more`);
  return `${head}: ${report.failures.length} difference(s)\n${lines.join('\n')}`;
}
