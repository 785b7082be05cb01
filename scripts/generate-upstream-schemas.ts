/**
 * `npm run schemas`: writes the JSON Schema of every upstream payload to docs/schemas/, from the
 * zod schemas in src/upstream/ (the registry in topics.ts). Files of earlier schema versions are
 * left in place, for receivers that still read old messages. tests/upstream/json-schemas.test.ts
 * fails when a committed file differs from what this would write.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderJsonSchema, upstreamJsonSchemas } from '../src/upstream/json-schemas.js';

const SCHEMA_DIRECTORY = resolve(import.meta.dirname, '..', 'docs', 'schemas');

mkdirSync(SCHEMA_DIRECTORY, { recursive: true });
for (const schema of upstreamJsonSchemas()) {
  const path = join(SCHEMA_DIRECTORY, schema.fileName);
  const text = renderJsonSchema(schema);
  let before: string | undefined;
  try {
    before = readFileSync(path, 'utf8');
  } catch {
    before = undefined;
  }
  if (before === text) {
    process.stdout.write(`unchanged ${schema.fileName}\n`);
    continue;
  }
  writeFileSync(path, text);
  process.stdout.write(`${before === undefined ? 'wrote    ' : 'updated  '} ${schema.fileName}\n`);
}
