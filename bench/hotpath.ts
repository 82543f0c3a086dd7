/**
 * `npm run bench:hotpath`: the runner's per-request bookkeeping (Tally.recordResponse: HDR record,
 * status count, byte count) and error path, with tinybench. A request costs ~200-300 us of client
 * CPU; bookkeeping should stay well under 1 us.
 */
import { Bench } from 'tinybench';
import { classifyError, Tally } from '../runner/engine/tally.ts';

const tally = new Tally();
let i = 0;
const latencies = Float64Array.from({ length: 4096 }, (_, k) => 5 + ((k * 7919) % 1000) / 10);
const bench = new Bench({ time: 500 });
bench
  .add('Tally.recordResponse (200, HDR record)', () => {
    tally.recordResponse(200, latencies[i++ & 4095]!, 35_000);
  })
  .add('Tally.recordResponse (429)', () => {
    tally.recordResponse(429, latencies[i++ & 4095]!, 100);
  })
  .add('classifyError + recordError', () => {
    tally.recordError(classifyError({ code: 'UND_ERR_HEADERS_TIMEOUT' }), 'Headers Timeout Error');
  })
  .add('performance.now() (clock read, twice per request)', () => {
    performance.now();
  });
await bench.run();
console.table(bench.table());
