// The JSON Schema published as docs/envelope.schema.json (regenerate with `npm run schema`).
import { z } from 'zod';
import { envelopeV1Schema } from './schema.js';

export const ENVELOPE_SCHEMA_ID = 'https://inferencebench.dev/schemas/envelope-v1.json';

/** JSON Schema (draft 2020-12) of envelope v1 as read: v1 fields required, unknown keys allowed. */
export function envelopeJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(envelopeV1Schema, { target: 'draft-2020-12', io: 'input' });
  return {
    $schema: generated.$schema,
    $id: ENVELOPE_SCHEMA_ID,
    title: 'inferencebench result envelope (InferenceBench envelope v1 + extensions)',
    description:
      'content_hash = sha256 of the envelope without "signature", serialised as Python json.dumps(sort_keys=True, separators=(",", ":")). See docs/envelope.md.',
    ...Object.fromEntries(Object.entries(generated).filter(([key]) => key !== '$schema')),
  };
}
