/// <reference lib="dom" />
// The report page's only script (bundled with Observable Plot and inlined by the renderer): reads
// the embedded page model and draws each chart spec as SVG. It fetches nothing. When it is done it
// sets body[data-charts] to "done" (or "failed"), which the browser test waits for.
import * as Plot from '@observablehq/plot';
import type { ChartSpec, ClientData } from '../model.js';
import { decodeCharts } from '../wire.js';

/** Lines that are references (frontier, diagonal), drawn grey instead of in a series colour. */
const REFERENCE_SERIES = new Set(['Pareto frontier', 'goodput = throughput']);
const WIDTH = 620;
const HEIGHT = 330;

interface LineRow {
  readonly x: number;
  readonly y: number;
  readonly series: string;
  readonly line: number;
}

function axisOptions(axis: ChartSpec['x'], isLoadAxis: boolean): Record<string, unknown> {
  if (axis.type === 'log') return { type: 'log', label: axis.label, ...(isLoadAxis ? { base: 2 } : {}) };
  return { type: 'linear', label: axis.label, zero: axis.zero === true, nice: true };
}

function lineRows(chart: ChartSpec, keep: (dashed: boolean, reference: boolean) => boolean): LineRow[] {
  const rows: LineRow[] = [];
  chart.lines.forEach((line, index) => {
    if (!keep(line.dashed === true, REFERENCE_SERIES.has(line.series))) return;
    for (const p of line.points) rows.push({ x: p.x, y: p.y, series: line.series, line: index });
  });
  return rows;
}

function draw(chart: ChartSpec, seriesDomain: readonly string[]): Element {
  const marks: Plot.Markish[] = [];
  if (chart.spans.length > 0)
    marks.push(Plot.rectX(chart.spans, { x1: 'x1', x2: 'x2', fill: '#0969da', fillOpacity: 0.08 }));
  const bandRows = chart.bands.flatMap((band, index) =>
    band.points.map((p) => ({ ...p, series: band.series, band: index })),
  );
  if (bandRows.length > 0)
    marks.push(
      Plot.areaY(bandRows, { x: 'x', y1: 'lo', y2: 'hi', z: 'band', fill: 'series', fillOpacity: 0.15 }),
    );
  const curve = (c: string | undefined): Plot.CurveName => (c === 'step-after' ? 'step-after' : 'linear');
  const firstCurve = curve(chart.lines[0]?.curve);
  const solid = lineRows(chart, (dashed, ref) => !dashed && !ref);
  if (solid.length > 0)
    marks.push(
      Plot.line(solid, { x: 'x', y: 'y', z: 'line', stroke: 'series', strokeWidth: 1.6, curve: firstCurve }),
    );
  const dashed = lineRows(chart, (d, ref) => d && !ref);
  if (dashed.length > 0)
    marks.push(
      Plot.line(dashed, {
        x: 'x',
        y: 'y',
        z: 'line',
        stroke: 'series',
        strokeWidth: 1.4,
        strokeDasharray: '5,3',
      }),
    );
  const reference = lineRows(chart, (_d, ref) => ref);
  if (reference.length > 0)
    marks.push(
      Plot.line(reference, { x: 'x', y: 'y', z: 'line', stroke: '#57606a', strokeDasharray: '3,3' }),
    );
  if (chart.rules.length > 0) {
    const ys = chart.rules.filter((r) => r.axis === 'y');
    const xs = chart.rules.filter((r) => r.axis === 'x');
    if (ys.length > 0) {
      marks.push(Plot.ruleY(ys, { y: 'value', stroke: '#cf222e', strokeDasharray: '6,3' }));
      marks.push(
        Plot.text(ys, {
          y: 'value',
          text: 'label',
          frameAnchor: 'right',
          textAnchor: 'end',
          dy: -6,
          fill: '#cf222e',
        }),
      );
    }
    if (xs.length > 0) marks.push(Plot.ruleX(xs, { x: 'value', stroke: '#cf222e', strokeDasharray: '6,3' }));
  }
  const filled = chart.dots.filter((d) => d.ring !== true);
  const rings = chart.dots.filter((d) => d.ring === true);
  if (filled.length > 0) marks.push(Plot.dot(filled, { x: 'x', y: 'y', fill: 'series', r: 3.5 }));
  if (rings.length > 0)
    marks.push(Plot.dot(rings, { x: 'x', y: 'y', stroke: 'series', fill: 'white', strokeWidth: 1.8, r: 5 }));
  if (chart.dots.length > 0)
    marks.push(
      Plot.tip(
        chart.dots,
        Plot.pointer({
          x: 'x',
          y: 'y',
          title: (d: ChartSpec['dots'][number]) => `${d.series}\n${d.label}\n${d.file}`,
        }),
      ),
    );
  const isLoad = chart.x.label.startsWith('Concurrency') || chart.x.label.startsWith('Offered');
  // The report-wide series order keeps colours stable across charts; a chart with its own entries
  // (one line per sweep point) gets a domain of its own.
  const own = [...new Set([...chart.lines, ...chart.bands, ...chart.dots].map((item) => item.series))].filter(
    (s) => !REFERENCE_SERIES.has(s),
  );
  const global = own.every((s) => seriesDomain.includes(s));
  const colorDomain = global ? seriesDomain.filter((s) => own.includes(s)) : own;
  const globalColors = Plot.scale({ color: { type: 'categorical', domain: [...seriesDomain] } });
  const colorRange = global ? colorDomain.map((s) => String(globalColors.apply(s))) : undefined;
  return Plot.plot({
    width: WIDTH,
    height: HEIGHT,
    marginLeft: 56,
    marginRight: 20,
    grid: true,
    x: axisOptions(chart.x, isLoad),
    y: axisOptions(chart.y, false),
    color: {
      type: 'categorical',
      domain: [...colorDomain],
      ...(colorRange ? { range: colorRange } : {}),
      legend: own.length > 0,
    },
    marks,
  });
}

function main(): void {
  const dataElement = document.getElementById('report-data');
  const model = JSON.parse(dataElement?.textContent ?? 'null') as ClientData | null;
  if (model === null) throw new Error('report data missing');
  const seriesDomain = model.series.map((s) => s.label);
  let failed = 0;
  for (const chart of decodeCharts(model)) {
    if (chart.placeholder !== null) continue;
    const target = document.querySelector(`[data-plot="${chart.id}"]`);
    if (target === null) continue;
    try {
      const t0 = performance.now();
      target.append(draw(chart, seriesDomain));
      target.setAttribute('data-rendered', 'true');
      target.setAttribute('data-ms', (performance.now() - t0).toFixed(1));
    } catch (error) {
      failed += 1;
      const message = error instanceof Error ? error.message : String(error);
      const p = document.createElement('p');
      p.className = 'plot-error';
      p.textContent = `chart could not be drawn: ${message}`;
      target.append(p);
      console.error(`chart ${chart.id}: ${message}`);
    }
  }
  // Time since navigation start, read by bench/report.ts.
  document.body.dataset['renderMs'] = performance.now().toFixed(1);
  document.body.dataset['charts'] = failed === 0 ? 'done' : 'failed';
}

main();
