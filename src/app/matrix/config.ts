// `bench matrix <config.yaml>`: the config file (schema inferencebench.matrix.v1, as the Python
// tool reads it) — parsed and validated here; every problem is one line, exit 2.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const MATRIX_SCHEMA = 'inferencebench.matrix.v1';

export class MatrixConfigError extends Error {
  readonly code: string;
  readonly exitCode = 2;
  constructor(message: string, code = 'E_MATRIX_CONFIG') {
    super(message);
    this.name = 'MatrixConfigError';
    this.code = code;
  }
}

const targetSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, . _ - only (it names files)'),
    model: z.string().min(1),
    engine: z.string().min(1).default('vllm'),
    /** Absent: the embedded engine serves this target. */
    base_url: z.url({ protocol: /^https?$/ }).optional(),
    quant: z.string().min(1).default('fp16'),
  })
  .strict();

const configSchema = z
  .object({
    schema: z.literal(MATRIX_SCHEMA),
    suite_id: z.string().min(1),
    duration_s: z.number().positive().max(86_400).default(60),
    sweep: z.array(z.number().int().positive().max(100_000)).min(1),
    /** Ours: independent trials per cell (seed 003: a verdict needs ≥ 3). */
    trials: z.number().int().positive().max(100).default(1),
    targets: z.array(targetSchema).min(1),
  })
  .strict();

export type MatrixTarget = z.infer<typeof targetSchema>;
export type MatrixConfig = z.infer<typeof configSchema>;

export function parseMatrixConfig(raw: unknown, label: string): MatrixConfig {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    throw new MatrixConfigError(`${label}: ${where}: ${issue.message}`);
  }
  const config = parsed.data;
  const seen = new Set<string>();
  for (const target of config.targets) {
    if (seen.has(target.name))
      throw new MatrixConfigError(`${label}: targets: duplicate name '${target.name}'`);
    seen.add(target.name);
  }
  if (new Set(config.sweep).size !== config.sweep.length)
    throw new MatrixConfigError(`${label}: sweep: duplicate concurrency`);
  return config;
}

export function loadMatrixConfig(
  path: string,
  read: (p: string) => string = (p) => readFileSync(p, 'utf8'),
): MatrixConfig {
  let text: string;
  try {
    text = read(path);
  } catch {
    throw new MatrixConfigError(`matrix config ${path}: cannot be read`, 'E_MATRIX_READ');
  }
  let raw: unknown;
  try {
    raw = parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    throw new MatrixConfigError(`matrix config ${path}: invalid YAML: ${reason}`);
  }
  return parseMatrixConfig(raw, `matrix config ${path}`);
}

/** `<target>-c<point>-<hash12>.json`, the Python tool's envelope name for a matrix cell. */
export function matrixEnvelopeName(target: string, point: number, contentHash: string): string {
  return `${target}-c${point}-${contentHash.slice(0, 12)}.json`;
}
