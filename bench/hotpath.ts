/**
 * `npm run bench:hotpath`: the runner's per-request bookkeeping (Tally.recordResponse: HDR records,
 * status count, byte count), the error path, and the body check (runner/engine/response-check.ts):
 * the prefix check every 2xx gets and the whole-body JSON.parse one in `fullParseEvery` gets, on a
 * ~35 KB breed page in 64 KB / 16 KB chunks. A request costs ~200-300 us of client CPU.
 */
import { Bench } from 'tinybench';
import { breedCounts } from '../lib/turkeys/breed-counts.ts';
import { compileCheck, breedPageCheck } from '../runner/engine/response-check.ts';
import { classifyError, Tally } from '../runner/engine/tally.ts';
import { breedPageBody } from './body-server.ts';

const tally = new Tally();
let i = 0;
const latencies = Float64Array.from({ length: 4096 }, (_, k) => 5 + ((k * 7919) % 1000) / 10);
const counts = breedCounts();
const breed = 'Cröllwitzer';
const body = Buffer.from(breedPageBody(counts.get(breed)!, breed));
const chunks = [body.subarray(0, 16_384), body.subarray(16_384, 32_768), body.subarray(32_768)];
const check = compileCheck(breedPageCheck(['/turkeys/x'], [breed], counts));
if (check.verdict('/turkeys/x', chunks, false) !== null || check.verdict('/turkeys/x', chunks, true) !== null) throw new Error('the bench body must pass the check');
const bench = new Bench({ time: 500 });
bench
  .add('Tally.recordResponse (200, HDR record)', () => {
    tally.recordResponse(200, latencies[i++ & 4095]!, 35_000);
  })
  .add('Tally.recordResponse (429)', () => {
    tally.recordResponse(429, latencies[i++ & 4095]!, 100);
  })
  .add('classifyError + recordError', () => {
    tally.recordError(classifyError({ code: 'UND_ERR_HEADERS_TIMEOUT' }), 'Headers Timeout Error', 10);
  })
  .add('performance.now() (clock read, twice per request)', () => {
    performance.now();
  })
  .add(`body check, prefix (breed + count), ${body.length} B body`, () => {
    check.verdict('/turkeys/x', chunks, false);
  })
  .add(`body check, whole body JSON.parse, ${body.length} B body`, () => {
    check.verdict('/turkeys/x', chunks, true);
  });
await bench.run();
console.table(bench.table());
