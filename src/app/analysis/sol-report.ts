// The %SoL block, the per-row full-context descriptors and the next lever printed under a result
// table (compare, summary): one place, so every table says the same thing the same way.
import { sweepPointOf, type LoadedEnvelope } from '../report/envelopeView.js';
import { renderTable } from '../report/format.js';
import { descriptorOf, leverPointOf, pointSol, type PointSol, type SolOptions } from './envelope-analysis.js';
import { renderDescriptor } from './descriptor.js';
import { nextLever, renderNextLever } from './next-lever.js';
import { solCell, type SolValue } from './sol.js';

export interface SolRow {
  readonly label: string;
  readonly loaded: LoadedEnvelope;
}

function reason(v: SolValue): string {
  return v.ok ? '' : v.reason;
}

/** `%SoL` table (with the ceiling key), each row's descriptor, and the next lever. */
export function renderSolReport(
  rows: readonly SolRow[],
  options: SolOptions,
  show: { readonly table?: boolean } = {},
): string {
  const sols: PointSol[] = rows.map((r) => pointSol(r.loaded, options));
  const table = renderTable(
    [
      { header: '#' },
      { header: 'Point' },
      { header: '%SoL', align: 'right' },
      { header: 'decode MBU', align: 'right' },
      { header: 'prefill MFU', align: 'right' },
      { header: 'Ceiling' },
    ],
    rows.map((r, i) => {
      const s = sols[i]!;
      const why = reason(s.workload);
      return [
        r.label,
        sweepPointOf(r.loaded.path) || '-',
        solCell(s.workload),
        solCell(s.mbu),
        solCell(s.mfu),
        s.workload.ok ? s.workload.ceilingKey : `n/a: ${why}`,
      ];
    }),
  );
  const descriptors = rows.flatMap((r, i) =>
    renderDescriptor(descriptorOf(r.loaded, options, sols[i]!), r.label),
  );
  const lever = nextLever(rows.map((r, i) => leverPointOf(r.loaded, r.label, sols[i]!)));
  const head =
    show.table === false ? [] : ['Speed of light (ceilings by key; see docs/metrics.md)', table, ''];
  return [...head, ...descriptors, '', ...renderNextLever(lever)].join('\n');
}
