import { runLoad } from '../runner/engine/load.ts';
import { readFileSync } from 'node:fs';
const url = JSON.parse(readFileSync('/tmp/eng-srv.json', 'utf8')).url;
for (let i = 0; i < 3; i++) {
  const r = await runLoad({ origin: url, paths: ['/turkeys/Bourbon%20Red'], requests: 1000, concurrency: 100, timeoutMs: 10000, workers: Number(process.argv[2] ?? 1) });
  const h = r.tally.histogram;
  console.log(i, (r.tally.completed / r.wallMs * 1000).toFixed(0), 'min', h.minNonZeroValue / 1000, 'p10', h.getValueAtPercentile(10) / 1000, 'p50', h.getValueAtPercentile(50) / 1000, 'p90', h.getValueAtPercentile(90) / 1000, JSON.stringify(r.health));
}
