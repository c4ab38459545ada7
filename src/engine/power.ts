// Simulated GPU power/utilisation: a piecewise-constant level per GPU, integrated into an energy counter.
// DCGM reports utilisation as the share of the last sample period a kernel ran; we smooth the level
// with a 1 s exponential window to get the same feel.

export interface GpuReading {
  readonly gpu: number;
  readonly powerW: number;
  readonly utilPct: number;
  readonly energyMj: number;
}

const UTIL_TAU_MS = 1000;
const POWER_TAU_MS = 200;

export class PowerMeter {
  private readonly gpus: number;
  private readonly idleW: number;
  private lastMs: number;
  private levelUtil = 0;
  private levelPowerW: number;
  private utilEwma = 0;
  private powerEwma: number;
  private energyJ = 0;

  constructor(gpus: number, idleW: number, nowMs: number) {
    this.gpus = gpus;
    this.idleW = idleW;
    this.lastMs = nowMs;
    this.levelPowerW = idleW;
    this.powerEwma = idleW;
  }

  /** Integrates the current level up to `nowMs`, then switches to the new one. */
  set(nowMs: number, util: number, powerW: number): void {
    this.advance(nowMs);
    this.levelUtil = util;
    this.levelPowerW = powerW;
  }

  idle(nowMs: number): void {
    this.set(nowMs, 0, this.idleW);
  }

  /** Energy of one GPU so far, joules. */
  energyJoules(nowMs: number): number {
    this.advance(nowMs);
    return this.energyJ;
  }

  read(nowMs: number): GpuReading[] {
    this.advance(nowMs);
    const out: GpuReading[] = [];
    for (let g = 0; g < this.gpus; g += 1) {
      // Small fixed per-board spread, as real boards of one node never read identically.
      const spread = 1 + 0.012 * Math.sin(g * 2.1 + 0.5);
      out.push({
        gpu: g,
        powerW: this.powerEwma * spread,
        utilPct: Math.round(Math.min(100, this.utilEwma * 100)),
        energyMj: Math.floor(this.energyJ * spread * 1000),
      });
    }
    return out;
  }

  private advance(nowMs: number): void {
    const dt = nowMs - this.lastMs;
    if (dt <= 0) return;
    this.energyJ += (this.levelPowerW * dt) / 1000;
    this.utilEwma += (this.levelUtil - this.utilEwma) * (1 - Math.exp(-dt / UTIL_TAU_MS));
    this.powerEwma += (this.levelPowerW - this.powerEwma) * (1 - Math.exp(-dt / POWER_TAU_MS));
    this.lastMs = nowMs;
  }
}
