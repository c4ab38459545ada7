// A minimal Prometheus text-exposition writer (counters, gauges, histograms), shaped like the
// output of Python's prometheus_client that vLLM serves (counters carry the _total suffix).

export type Labels = Readonly<Record<string, string>>;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

export function formatLabels(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${escapeLabel(labels[k] as string)}"`).join(',')}}`;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return Number.isInteger(v) ? `${v}.0` : String(v);
}

export class Histogram {
  readonly bucketsS: readonly number[];
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  constructor(bucketsS: readonly number[]) {
    this.bucketsS = bucketsS;
    this.counts = bucketsS.map(() => 0);
  }
  observe(valueS: number): void {
    this.sum += valueS;
    this.count += 1;
    for (let i = 0; i < this.bucketsS.length; i += 1) {
      if (valueS <= (this.bucketsS[i] as number)) {
        this.counts[i] = (this.counts[i] as number) + 1;
        return;
      }
    }
  }
  lines(name: string, labels: Labels): string[] {
    const out: string[] = [];
    let cumulative = 0;
    for (let i = 0; i < this.bucketsS.length; i += 1) {
      cumulative += this.counts[i] as number;
      const le = String(this.bucketsS[i]);
      out.push(`${name}_bucket${formatLabels({ ...labels, le })} ${formatValue(cumulative)}`);
    }
    out.push(`${name}_bucket${formatLabels({ ...labels, le: '+Inf' })} ${formatValue(this.count)}`);
    out.push(`${name}_count${formatLabels(labels)} ${formatValue(this.count)}`);
    out.push(`${name}_sum${formatLabels(labels)} ${formatValue(this.sum)}`);
    return out;
  }
}

export class Exposition {
  private readonly out: string[] = [];
  family(name: string, type: 'counter' | 'gauge' | 'histogram', help: string): this {
    this.out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    return this;
  }
  sample(name: string, labels: Labels, value: number): this {
    this.out.push(`${name}${formatLabels(labels)} ${formatValue(value)}`);
    return this;
  }
  histogram(name: string, help: string, labels: Labels, h: Histogram): this {
    this.family(name, 'histogram', help);
    this.out.push(...h.lines(name, labels));
    return this;
  }
  text(): string {
    return `${this.out.join('\n')}\n`;
  }
}
