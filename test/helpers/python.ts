// python3 as the oracle for what the Python InferenceBench computes (integration tests only: these
// spawn a child process). Each call is ONE python3 process for a whole batch of JSON lines.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CANONICAL = [
  'import json, sys',
  'for raw in sys.stdin.buffer:',
  '    text = raw.decode("utf-8").rstrip("\\n")',
  '    try:',
  '        out = json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))',
  '    except Exception as error:',
  '        out = "!ERROR " + type(error).__name__',
  '    sys.stdout.write(out + "\\n")',
].join('\n');

/** A pydantic model with InferenceBench's v0.1.0 envelope constraints (see the file's header). */
const PYDANTIC_MODEL = fileURLToPath(new URL('./pydantic-model.py', import.meta.url));

function batch(args: readonly string[], texts: readonly string[], what: string): string[] {
  for (const text of texts) if (/[\n\r]/.test(text)) throw new Error('oracle texts must be single lines');
  const result = spawnSync('python3', args, {
    input: `${texts.join('\n')}\n`,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 60_000,
  });
  if (result.error) throw new Error(`python3 (${what}) could not run: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`python3 (${what}) exited ${result.status}: ${result.stderr}`);
  const lines = result.stdout.split('\n');
  lines.pop();
  if (lines.length !== texts.length) throw new Error(`python3 answered ${lines.length} of ${texts.length}`);
  return lines;
}

/** CPython's json.dumps(json.loads(text), sort_keys=True, separators=(",", ":")) of each text. */
export function pythonCanonical(texts: readonly string[]): string[] {
  return batch(['-c', CANONICAL], texts, 'the json oracle');
}

/** Whether python3 can import pydantic (the model oracle needs it; python3 alone does not). */
export const hasPydantic = spawnSync('python3', ['-c', 'import pydantic']).status === 0;

/**
 * What InferenceBench's verify hashes for each envelope text: the canonical JSON of its model's
 * dump without the signature, or `!ERROR <field>: <message>` when its model refuses the file.
 */
export function pydanticCanonical(texts: readonly string[]): string[] {
  return batch([PYDANTIC_MODEL], texts, 'the pydantic model oracle');
}
