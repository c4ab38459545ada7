// Pure layout maths: which panes show, side by side or stacked, and how tall the histograms are,
// so that the live frame never exceeds the terminal height and never wraps.

export type PaneId =
  | 'header'
  | 'notice'
  | 'help'
  | 'throughput'
  | 'ttft'
  | 'tpot'
  | 'gate'
  | 'client'
  | 'gpu'
  | 'server'
  | 'profiling'
  | 'sweep'
  | 'footer';

/**
 * Drop order: when the frame is too tall, the pane with the LARGEST number goes first.
 * The header never drops. A distorted client and a finished sweep table move up (see `priorityOf`).
 */
export const PANE_PRIORITY: Readonly<Record<PaneId, number>> = {
  header: 0,
  footer: 1,
  notice: 2,
  help: 3,
  sweep: 13,
  throughput: 5,
  gate: 6,
  client: 7,
  ttft: 8,
  tpot: 9,
  gpu: 10,
  server: 10.5,
  profiling: 11,
};

export interface PaneRequest {
  readonly id: PaneId;
  /** Lines the pane needs (for histograms: the title line; bucket rows come from `histogram`). */
  readonly height: number;
  /** Raise the pane's priority (e.g. distorted client, finished sweep table). */
  readonly priority?: number;
}

export interface LayoutInput {
  readonly columns: number;
  readonly rows: number;
  readonly panes: readonly PaneRequest[];
  /** Bucket rows of each histogram pane: grows from min to max with spare lines. */
  readonly histogram?: { readonly minRows: number; readonly maxRows: number };
}

export interface LayoutCell {
  readonly width: number;
  readonly panes: readonly PaneId[];
}

export interface LayoutRow {
  readonly cells: readonly LayoutCell[];
  readonly height: number;
}

export interface Layout {
  readonly mode: 'narrow' | 'medium' | 'wide';
  readonly rows: readonly LayoutRow[];
  readonly histogramRows: number;
  readonly dropped: readonly PaneId[];
  /** Total lines of the live frame. */
  readonly height: number;
}

/** Columns at which two panes go side by side (histograms) / the wide grid starts. */
export const MEDIUM_MIN_COLUMNS = 76;
export const WIDE_MIN_COLUMNS = 140;
export const CELL_GAP = 2;

type Arrangement = ReadonlyArray<ReadonlyArray<readonly PaneId[]>>;

function arrangement(mode: Layout['mode'], sweepFirst: boolean): Arrangement {
  const head: Arrangement = [[['header']], [['notice']], [['help']]];
  const sweep: Arrangement = [[['sweep']]];
  let body: Arrangement;
  if (mode === 'wide') {
    body = [
      [['throughput'], ['gate', 'client']],
      [['ttft'], ['tpot']],
      [['gpu'], ['profiling']],
      [['server']],
    ];
  } else if (mode === 'medium') {
    body = [
      [['throughput']],
      [['gate']],
      [['client']],
      [['ttft'], ['tpot']],
      [['gpu']],
      [['server']],
      [['profiling']],
    ];
  } else {
    body = [
      [['throughput']],
      [['gate']],
      [['client']],
      [['ttft']],
      [['tpot']],
      [['gpu']],
      [['server']],
      [['profiling']],
    ];
  }
  return [...head, ...(sweepFirst ? sweep : []), ...body, ...(sweepFirst ? [] : sweep), [['footer']]];
}

export function priorityOf(pane: PaneRequest): number {
  return pane.priority ?? PANE_PRIORITY[pane.id];
}

function modeFor(columns: number): Layout['mode'] {
  if (columns >= WIDE_MIN_COLUMNS) return 'wide';
  if (columns >= MEDIUM_MIN_COLUMNS) return 'medium';
  return 'narrow';
}

function build(
  plan: Arrangement,
  columns: number,
  heights: ReadonlyMap<PaneId, number>,
  histogramRows: number,
): { rows: LayoutRow[]; height: number } {
  const rows: LayoutRow[] = [];
  let total = 0;
  for (const planRow of plan) {
    const cells = planRow.map((cell) => cell.filter((id) => heights.has(id))).filter((c) => c.length > 0);
    if (cells.length === 0) continue;
    const width = Math.max(1, Math.floor((columns - CELL_GAP * (cells.length - 1)) / cells.length));
    let height = 0;
    for (const cell of cells) {
      let h = 0;
      for (const id of cell) {
        h += (heights.get(id) ?? 0) + (id === 'ttft' || id === 'tpot' ? histogramRows : 0);
      }
      height = Math.max(height, h);
    }
    rows.push({ cells: cells.map((panes) => ({ width, panes })), height });
    total += height;
  }
  return { rows, height: total };
}

/**
 * Chooses the panes and their arrangement. Budget: rows − 1 lines (Ink clears the whole screen,
 * flickering, when the frame reaches the terminal height).
 */
export function planLayout(input: LayoutInput): Layout {
  const columns = Math.max(1, Math.floor(input.columns));
  const budget = Math.max(1, Math.floor(input.rows) - 1);
  const mode = modeFor(columns);
  const minRows = input.histogram?.minRows ?? 3;
  const maxRows = Math.max(minRows, input.histogram?.maxRows ?? 10);
  const sweep = input.panes.find((p) => p.id === 'sweep');
  const plan = arrangement(mode, sweep !== undefined && priorityOf(sweep) < PANE_PRIORITY.throughput);

  const heights = new Map<PaneId, number>(input.panes.map((p) => [p.id, Math.max(0, p.height)]));
  const byDropOrder = [...input.panes]
    .filter((p) => p.id !== 'header')
    .sort((a, b) => priorityOf(b) - priorityOf(a));
  const dropped: PaneId[] = [];
  let built = build(plan, columns, heights, minRows);
  for (const pane of byDropOrder) {
    if (built.height <= budget) break;
    heights.delete(pane.id);
    dropped.push(pane.id);
    built = build(plan, columns, heights, minRows);
  }
  // Put back any dropped pane that now fits (a large pane may have made room for a small one).
  for (const id of [...dropped].reverse()) {
    const pane = input.panes.find((p) => p.id === id);
    if (!pane) continue;
    heights.set(id, Math.max(0, pane.height));
    const trial = build(plan, columns, heights, minRows);
    if (trial.height <= budget) {
      built = trial;
      dropped.splice(dropped.indexOf(id), 1);
    } else {
      heights.delete(id);
    }
  }
  let histogramRows = minRows;
  if (heights.has('ttft') || heights.has('tpot')) {
    while (histogramRows < maxRows) {
      const grown = build(plan, columns, heights, histogramRows + 1);
      if (grown.height > budget) break;
      histogramRows += 1;
      built = grown;
    }
  }
  return { mode, rows: built.rows, histogramRows, dropped, height: built.height };
}
