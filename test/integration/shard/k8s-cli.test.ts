// bench k8s render through the bundled CLI.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { runBench } from '../../helpers/cli.js';
import { checkSchema } from '../../helpers/json-schema-check.js';

const schema = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../../fixtures/k8s/schema.json'), 'utf8'),
) as Record<string, unknown>;

function parseYaml(text: string): Record<string, unknown>[] {
  const docs = parseAllDocuments(text);
  for (const d of docs) expect(d.errors).toEqual([]);
  return docs.map((d) => d.toJS() as Record<string, unknown>);
}

function validate(object: Record<string, unknown>) {
  const definition = {
    Job: 'io.k8s.api.batch.v1.Job',
    Service: 'io.k8s.api.core.v1.Service',
    PersistentVolumeClaim: 'io.k8s.api.core.v1.PersistentVolumeClaim',
  }[String(object.kind)];
  return checkSchema(
    { ...schema, oneOf: undefined, $ref: `#/definitions/${definition ?? 'missing'}` },
    object,
  );
}

describe('bench k8s render (CLI)', () => {
  it('the CLI prints the manifests, and refuses bad flags with exit 2', async () => {
    const ok = await runBench([
      'k8s',
      'render',
      '--shards',
      '4',
      '--image',
      'inferencebench:dev',
      '--namespace',
      'bench',
      '--',
      'llm.inference',
      '--base-url',
      'http://vllm:8000/v1',
      '--concurrency',
      '64',
    ]);
    expect(ok.code).toBe(0);
    const docs = parseYaml(ok.stdout);
    expect(docs).toHaveLength(4);
    for (const o of docs) expect(validate(o)).toEqual([]);
    const bad = await runBench(['k8s', 'render', '--shards', '4', '--image', 'x', '--run-id', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--run-id must be a lower-case UUIDv7/);
  });
});
