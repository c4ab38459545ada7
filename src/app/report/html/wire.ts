// The chart specs as embedded in the page: lines as two number arrays instead of {x, y} objects,
// and each dot's envelope file as an index into one file table. About 40 % smaller for large
// reports; decodeCharts (run by the page script) restores the ChartSpec objects exactly.
import type { ChartDot, ChartLine, ChartSpec, ClientData, ReportModel } from './model.js';

export interface WireLine {
  readonly series: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly dashed?: boolean;
  readonly curve?: ChartLine['curve'];
}

export type WireDot = Omit<ChartDot, 'file'> & { readonly f: number };

export type WireChart = Omit<ChartSpec, 'lines' | 'dots'> & {
  readonly lines: readonly WireLine[];
  readonly dots: readonly WireDot[];
};

export function encodeClientData(model: ReportModel): ClientData {
  const files: string[] = [];
  const index = new Map<string, number>();
  const fileIndex = (file: string): number => {
    let i = index.get(file);
    if (i === undefined) {
      i = files.push(file) - 1;
      index.set(file, i);
    }
    return i;
  };
  const charts = model.charts.map((chart): WireChart => ({
    ...chart,
    lines: chart.lines.map(({ points, ...rest }) => ({
      ...rest,
      x: points.map((p) => p.x),
      y: points.map((p) => p.y),
    })),
    dots: chart.dots.map(({ file, ...rest }) => ({ ...rest, f: fileIndex(file) })),
  }));
  return { version: model.version, series: model.series, files, charts };
}

export function decodeCharts(data: ClientData): ChartSpec[] {
  return data.charts.map((chart): ChartSpec => ({
    ...chart,
    lines: chart.lines.map(({ x, y, ...rest }) => ({
      ...rest,
      points: x.map((xi, i) => ({ x: xi, y: y[i] ?? Number.NaN })),
    })),
    dots: chart.dots.map(({ f, ...rest }) => ({ ...rest, file: data.files[f] ?? '?' })),
  }));
}
