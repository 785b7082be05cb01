import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderJsonSchema, upstreamJsonSchemas } from '../../src/upstream/json-schemas.js';
import { schemaFileName, UPSTREAM_SCHEMA_IDS } from '../../src/upstream/schema-ids.js';
import { jsonSchemaErrors } from './json-schema-check.js';

const schemaFile = (fileName: string): URL => new URL(`../../docs/schemas/${fileName}`, import.meta.url);
const committed = (schemaId: string): Record<string, unknown> => JSON.parse(fs.readFileSync(schemaFile(schemaFileName(schemaId)), 'utf8')) as Record<string, unknown>;
const doc = fs.readFileSync(new URL('../../docs/upstream.md', import.meta.url), 'utf8');
const examples = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => JSON.parse(match[1] ?? '') as Record<string, unknown>);

describe('docs/schemas/', () => {
  it('holds a file for every schema id the box publishes, equal to what npm run schemas generates', () => {
    const generated = upstreamJsonSchemas();
    expect(generated.map((schema) => schema.schemaId).sort()).toEqual(Object.values(UPSTREAM_SCHEMA_IDS).sort());
    for (const schema of generated) {
      expect(fs.existsSync(schemaFile(schema.fileName)), `${schema.fileName} missing: run npm run schemas`).toBe(true);
      expect(fs.readFileSync(schemaFile(schema.fileName), 'utf8'), `${schema.fileName} differs: run npm run schemas`).toBe(renderJsonSchema(schema));
    }
  });

  it('names every check JSON Schema cannot express in the description', () => {
    expect(committed(UPSTREAM_SCHEMA_IDS.stats)['description']).toMatch(/budget overspent.*duplicate category.*start not before end.*between 1 and disclosure\.threshold − 1/s);
    expect(committed(UPSTREAM_SCHEMA_IDS.birth)['description']).toMatch(/seq ranges out of order/);
  });

  it('accepts every JSON example in docs/upstream.md, checked against its schema file by an independent validator', () => {
    expect(examples.map((example) => example['schema']).sort()).toEqual(Object.values(UPSTREAM_SCHEMA_IDS).sort());
    for (const example of examples) expect(jsonSchemaErrors(committed(String(example['schema'])), example), String(example['schema'])).toEqual([]);
  });

  it('rejects what the box would never send: an extra field, a missing one, a count that is not one, a phone number in a pattern field', () => {
    const stats = examples.find((example) => example['schema'] === UPSTREAM_SCHEMA_IDS.stats) ?? {};
    const birth = examples.find((example) => example['schema'] === UPSTREAM_SCHEMA_IDS.birth) ?? {};
    const statsSchema = committed(UPSTREAM_SCHEMA_IDS.stats);
    expect(jsonSchemaErrors(statsSchema, { ...stats, caller: 'x' })).toEqual(['$: unexpected caller']);
    const { seq: _seq, ...withoutSeq } = stats;
    expect(jsonSchemaErrors(statsSchema, withoutSeq)).toEqual(['$: missing seq']);
    expect(jsonSchemaErrors(statsSchema, { ...stats, cells: [1.5] })).toEqual(['$.cells[0]: matches none of anyOf']);
    expect(jsonSchemaErrors(statsSchema, { ...stats, site: '+31612345678' })).toEqual(['$.site: does not match the pattern']);
    const outbox = birth['outbox'] as Record<string, unknown>;
    expect(jsonSchemaErrors(committed(UPSTREAM_SCHEMA_IDS.birth), { ...birth, outbox: { ...outbox, dropped: { count: 1, seqRanges: [[1, 2, 3]] } } })).toEqual([
      '$.outbox.dropped.seqRanges[0]: too many items',
      '$.outbox.dropped.seqRanges[0]: item 2 not allowed',
    ]);
  });
});
