// npm run schema: regenerates docs/envelope.schema.json from the zod schema (src/envelope/schema.ts).
import { writeFile } from 'node:fs/promises';
import { format } from 'prettier';
import { envelopeJsonSchema } from '../src/envelope/json-schema.js';

const target = new URL('../docs/envelope.schema.json', import.meta.url);
const text = await format(JSON.stringify(envelopeJsonSchema(), null, 2), { parser: 'json' });
await writeFile(target, text);
process.stdout.write(`wrote ${target.pathname}\n`);
