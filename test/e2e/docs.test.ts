// Every `bench …` example in README.md and docs/commands.md runs against the bundle, or is marked.
//
// Examples: in a fence with `$ ` prompts, each prompt line (with `\` continuations; the lines after
// it are its output); in a sh fence, each line that calls bench. `node bin/bench.js` is bench, a
// leading `npm ci && ` is the install step (done). An HTML comment right above the fence changes
// how its examples run — the reader sees the doc's real command, the test a quicker one:
//   <!-- docs-test: skip gpu (why) -->   not run: needs a GPU, the network or data not in fixtures/
//   <!-- docs-test: duration 2 -->       --duration N becomes --duration 2
//   <!-- docs-test: add --no-gate -->    appends flags
//   <!-- docs-test: engine -->           http://127.0.0.1:PORT/v1 becomes an embedded engine's URL
// Each file's examples run in order in one scratch directory (fixtures/ linked in, HOME, config and
// cache inside it), so `bench verify results` sees the run before it. When the doc's output shows
// `exit N` (from `; echo "exit $?"`), the test expects that line; otherwise exit status 0.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type EngineHandle } from '../../src/engine/index.js';
import { cliPath } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DOCS = ['README.md', 'docs/commands.md'] as const;
/** Why an example may be left out; anything else is a typo in a mark. */
const SKIP_REASONS = new Set(['gpu', 'network', 'data']);
const EXAMPLE_TIMEOUT_MS = 180_000;

interface Marks {
  readonly skip: string | null;
  readonly durationS: string | null;
  readonly add: string;
  readonly engine: boolean;
}

interface Example {
  readonly line: number;
  readonly command: string;
  readonly expectedExit: number | null;
  readonly marks: Marks;
}

function parseMarks(comment: string | undefined): Marks {
  const marks = { skip: null as string | null, durationS: null as string | null, add: '', engine: false };
  const body = /^<!-- docs-test: (.*) -->$/.exec(comment?.trim() ?? '')?.[1];
  if (!body) return marks;
  for (const directive of body.split(/,\s*(?=skip|duration|add|engine)/)) {
    const [word, ...rest] = directive.trim().split(' ');
    if (word === 'skip') marks.skip = rest.join(' ');
    else if (word === 'duration') marks.durationS = rest[0] ?? null;
    else if (word === 'add') marks.add = rest.join(' ');
    else if (word === 'engine') marks.engine = true;
    else throw new Error(`unknown docs-test directive: ${directive}`);
  }
  return marks;
}

const callsBench = (line: string): boolean =>
  /(^|&& |; |\| )(\S+=\S+ )*(bench|node bin\/bench\.js) /.test(line);

/** The examples of one markdown file, in order. */
export function extractExamples(markdown: string): Example[] {
  const lines = markdown.split('\n');
  const examples: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    let end = i + 1;
    while (end < lines.length && lines[end]!.trim() !== fence) end++;
    const body = lines.slice(i + 1, end);
    const marks = parseMarks(lines[i - 1]);
    const prompted = body.some((l) => l.startsWith('$ '));
    const shell = ['sh', 'bash', 'shell'].includes(open[2]!);
    for (let j = 0; j < body.length; j++) {
      let text = body[j]!;
      if (prompted && !text.startsWith('$ ')) continue;
      if (!prompted && !shell) break;
      const first = j;
      if (prompted) text = text.slice(2);
      while (text.endsWith('\\') && j + 1 < body.length)
        text = `${text.slice(0, -1).trimEnd()} ${body[++j]!.trim()}`;
      if (!callsBench(text)) continue;
      let expectedExit: number | null = null;
      if (prompted) {
        for (let k = j + 1; k < body.length && !body[k]!.startsWith('$ '); k++) {
          const exit = /^exit (\d+)$/.exec(body[k]!);
          if (exit) expectedExit = Number(exit[1]);
        }
      }
      examples.push({ line: i + 2 + first, command: text, expectedExit, marks });
    }
    i = end;
  }
  return examples;
}

function runnable(example: Example, engineUrl: string | null): string {
  let command = example.command
    .replace(/^npm ci && /, '')
    .replace(/(^|&& )node bin\/bench\.js /g, '$1bench ');
  if (example.marks.durationS !== null)
    command = command.replace(/--duration \d+/g, `--duration ${example.marks.durationS}`);
  if (example.marks.engine && engineUrl)
    command = command.replace(/http:\/\/(127\.0\.0\.1|localhost):\d+\/v1/g, engineUrl);
  if (example.marks.add !== '')
    command = command.replace(/^(.*?bench [^;|&]*?)(\s*(;|\||&&|$))/, `$1 ${example.marks.add}$2`);
  return command;
}

function sh(
  command: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', command], { cwd, env });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), EXAMPLE_TIMEOUT_MS - 5_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('docs examples: extraction', () => {
  it('finds the examples, reads marks, and every skip names an allowed reason', () => {
    const readme = extractExamples(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    const commands = extractExamples(readFileSync(join(ROOT, 'docs/commands.md'), 'utf8'));
    expect(readme.length).toBeGreaterThanOrEqual(4);
    expect(commands.length).toBeGreaterThanOrEqual(20);
    expect(readme[0]!.command).toMatch(/^npm ci && node bin\/bench\.js run /);
    expect(commands.find((e) => e.command.startsWith('bench fetch s3:'))?.expectedExit).toBe(2);
    for (const example of [...readme, ...commands]) {
      if (example.marks.skip !== null)
        expect(SKIP_REASONS.has(example.marks.skip.split(' ')[0]!), example.command).toBe(true);
    }
    const sample = extractExamples(
      '<!-- docs-test: duration 1, add --no-gate -->\n```\n$ bench run x --duration 10 --no-tui\nout\n```\n',
    );
    expect(runnable(sample[0]!, null)).toBe('bench run x --duration 1 --no-tui --no-gate');
  });
});

for (const doc of DOCS) {
  describe(`docs examples: ${doc}`, () => {
    const examples = extractExamples(readFileSync(join(ROOT, doc), 'utf8'));
    let scratch = '';
    let env: NodeJS.ProcessEnv = {};
    let engine: EngineHandle | null = null;

    beforeAll(async () => {
      scratch = mkdtempSync(join(tmpdir(), 'ib-docs-'));
      symlinkSync(join(ROOT, 'fixtures'), join(scratch, 'fixtures'));
      const bin = join(scratch, '.bin');
      mkdirSync(bin);
      writeFileSync(join(bin, 'bench'), `#!/bin/sh\nexec "${process.execPath}" "${cliPath()}" "$@"\n`);
      chmodSync(join(bin, 'bench'), 0o755);
      env = {
        ...process.env,
        PATH: `${bin}:${process.env.PATH ?? ''}`,
        HOME: join(scratch, '.home'),
        BENCH_CONFIG_DIR: join(scratch, '.config'),
        BENCH_CACHE_DIR: join(scratch, '.cache'),
        NO_COLOR: '1',
        CI: '1',
      };
      delete env.XDG_CONFIG_HOME;
      delete env.XDG_CACHE_HOME;
      if (examples.some((e) => e.marks.engine && e.marks.skip === null))
        // What the doc's replay and profile examples were run against (commands.md says so), with
        // fixed timing so a 2 s window holds enough requests.
        engine = await startEngine({
          model: 'Qwen/Qwen2.5-72B-Instruct',
          quant: 'bf16',
          tensorParallel: 8,
          timing: 'fixed',
          fixed: { ttftMs: 5, ttftJitterMs: 0.5, itlMs: 2, itlJitterMs: 0.2 },
        });
    });
    afterAll(async () => {
      await engine?.close();
      if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
    });

    for (const example of examples) {
      const name = `${doc}:${example.line}  ${example.command}`;
      if (example.marks.skip !== null) {
        it.skip(`${name}  [needs ${example.marks.skip}]`, () => undefined);
        continue;
      }
      it(
        name,
        async () => {
          const command = runnable(example, engine ? `${engine.baseUrl}` : null);
          const r = await sh(command, scratch, env);
          if (example.expectedExit !== null) expect(r.out, command).toContain(`exit ${example.expectedExit}`);
          else expect(r.code, `${command}\n${r.out.slice(-2000)}`).toBe(0);
          expect(r.out, command).not.toMatch(/internal error|\n\s+at .+:\d+:\d+\)/);
        },
        EXAMPLE_TIMEOUT_MS,
      );
    }
  });
}
