import type { RunSummary } from '../results/schema.ts';
import { escapeHtml } from './html.ts';
import { htmlTable } from './page-parts.ts';

const usd = (v: number) => (v === 0 ? '$0' : v >= 1 ? `$${v.toFixed(2)}` : `$${v.toPrecision(3)}`);
const ms = (v: number | undefined | null) => (v === undefined || v === null ? '–' : `${v.toFixed(1)} ms`);

/**
 * The report's cost and cold-start section: per tier and target the list-price cost per million
 * requests with its parts, and cold starts with cold vs warm latency. Empty when no row has either.
 */
export function costSection(summary: RunSummary): string {
  const rows = summary.results;
  const priced = rows.filter((r) => r.cost);
  const withStarts = rows.filter((r) => r.coldStarts);
  if (priced.length === 0 && withStarts.length === 0) return '';
  const local = summary.stage === 'local';
  const banner = local
    ? '<p class="bad"><strong>Local stage: these are estimates of what AWS would bill for the same work</strong> (same requests, read units, durations and instance time as measured here, priced at us-east-1 list prices). They are not AWS bills.</p>'
    : '<p>AWS list prices times the quantities measured or reported by AWS; parts marked <em>estimate</em> were not reported by AWS.</p>';
  const costTable = htmlTable(
    ['tier', 'target', 'cost per 1M requests', 'cost of the tier', 'basis'],
    priced.map((r) => [r.tier, r.target, r.cost!.perMillionUsd === null ? '–' : usd(r.cost!.perMillionUsd), usd(r.cost!.totalUsd), r.cost!.basis]),
    2,
  );
  const parts = htmlTable(
    ['tier', 'target', 'service', 'item', 'quantity', 'USD', 'per 1M requests', 'source'],
    priced.flatMap((r) =>
      r.cost!.parts.map((p) => [
        r.tier,
        r.target,
        p.service,
        p.item,
        `${Number(p.quantity.toPrecision(6))} ${p.unit}`,
        usd(p.usd),
        r.requests > 0 ? usd((p.usd / r.requests) * 1e6) : '–',
        { html: `${escapeHtml(p.source)}${p.estimated ? ' <em>(estimate)</em>' : ''}` },
      ]),
    ),
    4,
  );
  const notes = [...new Set(priced.flatMap((r) => r.cost!.notes))].map((n) => `<li>${escapeHtml(n)}</li>`).join('');
  const prices = priced[0]?.cost?.prices;
  const starts = htmlTable(
    ['tier', 'target', 'cold starts', 'warm', 'no header', 'instances', 'cold p50', 'warm p50', 'cold p99', 'warm p99'],
    withStarts.map((r) => {
      const c = r.coldStarts!;
      return [r.tier, r.target, c.cold, c.warm, c.unknown, c.instances, ms(c.coldLatency?.p50Ms), ms(c.warmLatency?.p50Ms), ms(c.coldLatency?.p99Ms), ms(c.warmLatency?.p99Ms)];
    }),
    2,
  );
  return `<section id="cost"><h2>Cost and cold starts</h2>
${banner}
${priced.length > 0 ? `<h3>Cost per million requests</h3>${costTable}<h3>Parts</h3>${parts}<ul>${notes}</ul>
<p class="muted">Prices: ${escapeHtml(prices ? `${prices.region} list prices from ${prices.files.join(', ')}` : '')} (each with its source page and the date read; docs/cost.md).</p>` : ''}
${withStarts.length > 0 ? `<h3>Cold starts</h3>
<p class="muted">From the <code>x-sst-cold-start</code> / <code>x-sst-instance-id</code> headers: Lambda per execution environment (${local ? 'the local host\'s instance pool' : 'module-level flag'}), the container service per process; the direct integration and Step Functions expose no instance, so their answers count as "no header".</p>
${starts}` : ''}
</section>`;
}
