import { isDeepStrictEqual } from 'node:util';
import { Pool, request } from 'undici';
import { API_ROUTES } from '../lib/api-gateway/routes.ts';
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

/**
 * Only cases whose AWS answer the stack controls (docs/aws-fidelity.md): the templates and handlers
 * decode `{breed}` right whether or not API Gateway decoded it, for names without a literal `%XY`.
 * What nobody has recorded is a probe (PROBES below), never a parity case.
 */
const EDGE_BREEDS: { label: string; breed: string; status: 200 | 400 }[] = [
  { label: 'unknown breed', breed: 'Dodo', status: 200 },
  { label: 'spaces and non-ASCII letters', breed: 'Grand Dindon Bleu de Gascogne Ünïcødé', status: 200 },
  { label: 'plus and percent signs', breed: 'a+b %c 50%', status: 200 },
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
  return [...breedCases, ...edgeCases];
}

/**
 * A request whose AWS answer nobody has recorded, or the stack does not control. `node runner parity`
 * sends the probes first and prints what each target answered next to what docs/aws-fidelity.md
 * expects; a probe never fails parity. After a deployment, its output settles the row it names.
 */
export interface ParityProbe {
  label: string;
  /** The docs/aws-fidelity.md row it settles. */
  row: string;
  /** Appended to each target's base URL. */
  path: string;
  /** A short name for what the answer means (compared with `expected`). */
  classify: (answer: { status: number; body: unknown }) => string;
  /** What the fidelity table expects for this target (the local stage answers this). */
  expected: (target: Target) => string;
}

/** Targets served by the REST API (the others are containers with their own HTTP server). */
const BEHIND_API_GATEWAY: ReadonlySet<string> = new Set(Object.keys(API_ROUTES));

const breedOf = (body: unknown) => (body as { breed?: unknown } | null)?.breed;
const errorCodeOf = (body: unknown) => {
  const b = body as { error?: { code?: unknown }; message?: unknown } | null;
  return String(b?.error?.code ?? b?.message ?? '');
};
const statusAndCode = ({ status, body }: { status: number; body: unknown }) => `${status} ${errorCodeOf(body)}`.trim();

/** A breed with a literal `%XY`: decoded once it stays `100%41`, decoded twice it becomes `100A`. */
const PERCENT_PROBE_BREED = '100%41';
const RESERVED_PROBE_BREED = 'a/b?c#d&e=f%g+h';

export const PROBES: readonly ParityProbe[] = [
  {
    label: 'path parameter decoded by API Gateway?',
    row: 'A2',
    path: turkeysUrl('', PERCENT_PROBE_BREED),
    classify: ({ status, body }) =>
      status === 200 && breedOf(body) === PERCENT_PROBE_BREED
        ? 'handed on encoded'
        : status === 200 && breedOf(body) === '100A'
          ? 'decoded before the integration'
          : `other: ${status} ${JSON.stringify(body).slice(0, 80)}`,
    expected: () => 'handed on encoded',
  },
  {
    label: 'reserved URL characters (%2F, %3F, %23 in {breed})',
    row: 'A7',
    path: turkeysUrl('', RESERVED_PROBE_BREED),
    classify: ({ status, body }) => (status === 200 && breedOf(body) === RESERVED_PROBE_BREED ? 'one segment, decoded once' : statusAndCode({ status, body })),
    expected: () => 'one segment, decoded once',
  },
  {
    label: 'malformed percent-encoding',
    row: 'A6',
    path: '/turkeys/%E0%A4%A',
    classify: statusAndCode,
    expected: () => '400 BAD_REQUEST',
  },
  {
    label: 'escapes of bytes that are not UTF-8',
    row: 'A6',
    path: '/turkeys/%FF',
    classify: (answer) => (answer.status === 200 && breedOf(answer.body) === '\uFFFD' ? '200 U+FFFD' : statusAndCode(answer)),
    expected: () => '400 BAD_REQUEST',
  },
  {
    label: 'a path no resource matches',
    row: 'G1',
    path: '/no-such-route',
    classify: statusAndCode,
    expected: (target) => (BEHIND_API_GATEWAY.has(target) ? '403 MISSING_AUTHENTICATION_TOKEN' : '404 NOT_FOUND'),
  },
];

export interface ProbeResult {
  label: string;
  row: string;
  answers: { target: Target; status: number; outcome: string; expected: string }[];
}

/** Sends every probe to every target; returns what each answered. Never throws for an answer. */
export async function runProbes(
  urls: Partial<Record<Target, string>>,
  targets: readonly Target[],
  options: { probes?: readonly ParityProbe[]; timeoutMs?: number } = {},
): Promise<ProbeResult[]> {
  const probes = options.probes ?? PROBES;
  const timeoutMs = options.timeoutMs ?? 29_000;
  const results: ProbeResult[] = [];
  for (const probe of probes) {
    const answers = await Promise.all(
      targets.map(async (target) => {
        const base = new URL(urls[target]!);
        const url = `${base.origin}${base.pathname.replace(/\/+$/, '')}${probe.path}`;
        let status = 0;
        let outcome: string;
        try {
          const response = await request(url, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
          status = response.statusCode;
          const text = await response.body.text();
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // Not JSON: classified on the raw text.
          }
          outcome = probe.classify({ status, body });
        } catch (error) {
          outcome = `no answer: ${(error as Error).message}`;
        }
        return { target, status, outcome, expected: probe.expected(target) };
      }),
    );
    results.push({ label: probe.label, row: probe.row, answers });
  }
  return results;
}

/** The lines `node runner parity` prints for the probes (before the parity report). */
export function formatProbeResults(results: readonly ProbeResult[], stage: string): string {
  const lines = [`probes (stage ${stage}): what nobody has recorded, checked first; they never fail parity (docs/aws-fidelity.md)`];
  for (const result of results) {
    const parts = result.answers.map((a) => `${a.target}: ${a.outcome}${a.outcome === a.expected ? '' : ` (table expects: ${a.expected})`}`);
    lines.push(`  [${result.row}] ${result.label}: ${parts.join('; ')}`);
  }
  return lines.join('\n');
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
