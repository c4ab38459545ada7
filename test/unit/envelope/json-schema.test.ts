import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envelopeJsonSchema } from '../../../src/envelope/json-schema.js';

describe('docs/envelope.schema.json', () => {
  it('is up to date with the zod schema (run `npm run schema` when this fails)', () => {
    const committed: unknown = JSON.parse(readFileSync('docs/envelope.schema.json', 'utf8'));
    expect(committed).toEqual(envelopeJsonSchema());
  });

  it('requires every v1 field and allows unknown keys', () => {
    const schema = envelopeJsonSchema() as { required: string[]; additionalProperties: unknown };
    expect(schema.required).toEqual(
      expect.arrayContaining([
        'envelope_version',
        'suite_id',
        'run_id',
        'hardware_fingerprint',
        'metrics',
        'distributions',
        'warnings',
        'signature',
      ]),
    );
    expect(schema.required).not.toContain('metric_ci');
    expect(schema.additionalProperties).toEqual({});
  });
});
