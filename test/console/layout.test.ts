import { describe, expect, it } from 'vitest';
import { dashboardLayout } from '../../src/app/console/Dashboard.js';
import { planLayout, type PaneRequest } from '../../src/app/console/layout.js';
import { paneRequests } from '../../src/app/console/panes.js';
import { consoleState, DISTORTED_SNAPSHOT, gpuTelemetry, SWEEP_ROWS } from './fixtures.js';

const ALL: PaneRequest[] = paneRequests(consoleState());

describe('planLayout', () => {
  it.each([
    [80, 24],
    [80, 40],
    [160, 24],
    [160, 50],
    [60, 20],
    [40, 10],
    [200, 8],
  ])('never exceeds rows − 1 at %i×%i', (columns, rows) => {
    const layout = planLayout({ columns, rows, panes: ALL, histogram: { minRows: 3, maxRows: 12 } });
    expect(layout.height).toBeLessThanOrEqual(rows - 1);
    expect(layout.rows.reduce((a, r) => a + r.height, 0)).toBe(layout.height);
    for (const row of layout.rows) {
      const used = row.cells.reduce((a, c) => a + c.width, 0) + 2 * (row.cells.length - 1);
      expect(used).toBeLessThanOrEqual(columns);
    }
  });

  it('picks narrow / medium / wide arrangements by width', () => {
    const at = (columns: number) => planLayout({ columns, rows: 60, panes: ALL });
    expect(at(60).mode).toBe('narrow');
    expect(at(60).rows.every((r) => r.cells.length === 1)).toBe(true);
    const medium = at(80);
    expect(medium.mode).toBe('medium');
    expect(medium.rows.find((r) => r.cells.length === 2)?.cells.map((c) => c.panes)).toEqual([
      ['ttft'],
      ['tpot'],
    ]);
    const wide = at(160);
    expect(wide.mode).toBe('wide');
    expect(wide.rows.map((r) => r.cells.map((c) => c.panes.join('+')).join('|'))).toContain(
      'throughput|gate+client',
    );
    expect(wide.rows.map((r) => r.cells.map((c) => c.panes.join('+')).join('|'))).toContain('gpu|profiling');
  });

  it('drops the lowest-priority panes first and grows histograms with spare lines', () => {
    const short = planLayout({ columns: 80, rows: 16, panes: ALL, histogram: { minRows: 3, maxRows: 12 } });
    expect(short.dropped).toContain('profiling');
    expect(short.dropped).toContain('gpu');
    expect(short.dropped).not.toContain('throughput');
    expect(short.dropped).not.toContain('header');
    const tall = planLayout({ columns: 80, rows: 60, panes: ALL, histogram: { minRows: 3, maxRows: 12 } });
    expect(tall.dropped).toEqual([]);
    expect(tall.histogramRows).toBe(12);
    expect(short.histogramRows).toBeLessThan(tall.histogramRows);
  });

  it('puts a smaller dropped pane back when a larger one made room', () => {
    const state = consoleState({ telemetry: gpuTelemetry(12) });
    const layout = dashboardLayout(state, 80, 24);
    expect(layout.dropped).toContain('gpu'); // 14 lines of GPUs do not fit
    expect(layout.dropped).not.toContain('profiling'); // 4 lines do
  });

  it('raises a distorted client and a finished sweep table', () => {
    const distorted = dashboardLayout(consoleState({ harness: DISTORTED_SNAPSHOT }), 80, 14);
    expect(distorted.dropped).not.toContain('client');
    expect(distorted.dropped).toContain('ttft');
    const finished = dashboardLayout(consoleState({ finished: true, sweepRows: SWEEP_ROWS }), 80, 24);
    expect(finished.dropped).not.toContain('sweep');
    expect(finished.rows[1]?.cells[0]?.panes).toEqual(['sweep']);
    const running = dashboardLayout(consoleState({ sweepRows: SWEEP_ROWS }), 80, 24);
    expect(running.rows.some((r) => r.cells.some((c) => c.panes.includes('sweep')))).toBe(false);
  });
});
