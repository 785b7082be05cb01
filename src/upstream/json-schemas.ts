import { z } from 'zod';
import { PUBLISHED_KINDS, schemaFileName } from './schema-ids.js';
import { UPSTREAM_PAYLOADS } from './topics.js';

/**
 * The JSON Schema (draft 2020-12) of every upstream payload, made from the zod schemas of the one
 * registry in topics.ts: `npm run schemas` writes them to docs/schemas/, and a test keeps the
 * committed files equal to these. JSON Schema cannot express every check the box makes before
 * publishing (a refine is code), so each such check is named, by what it refuses, in the
 * description of the part it guards and in the top-level description: a receiver that validates
 * with the file alone accepts a little more than the box ever sends.
 */
export interface UpstreamJsonSchema {
  readonly schemaId: string;
  /** File name in docs/schemas/, e.g. `helpline.stats-2.schema.json`. */
  readonly fileName: string;
  readonly schema: Record<string, unknown>;
}

const ALSO_REFUSED = 'The box also refuses (JSON Schema cannot express it): ';

export function upstreamJsonSchemas(): UpstreamJsonSchema[] {
  return PUBLISHED_KINDS.map((kind) => {
    const spec = UPSTREAM_PAYLOADS[kind];
    const unexpressed = new Map<string, string>();
    const generated = z.toJSONSchema(spec.payload, {
      target: 'draft-2020-12',
      unrepresentable: 'throw',
      override: ({ zodSchema, jsonSchema, path }) => {
        const where = payloadPath(path);
        const messages = customCheckMessages(zodSchema).map((message) => {
          const text = message ?? spec.unnamedChecks?.[where];
          if (text === undefined) throw new Error(`${spec.schemaId}: the check at '${where}' has no message; give it one or describe it in unnamedChecks (topics.ts)`);
          return text;
        });
        if (messages.length === 0) return;
        for (const message of messages) if (!unexpressed.has(message)) unexpressed.set(message, where);
        jsonSchema.description = `${ALSO_REFUSED}${[...new Set(messages)].join('; ')}.`;
      },
    }) as Record<string, unknown>;
    const { $schema, ...body } = generated;
    const listed = [...unexpressed].map(([message, where]) => `${where === '' ? 'the whole message' : where}: ${message}`);
    const description = [
      spec.description,
      listed.length === 0 ? 'JSON Schema expresses every check the box makes.' : `Beyond this schema, the box refuses to publish: ${listed.join('; ')}.`,
      `Generated from the zod schema in src/upstream/ by npm run schemas; do not edit.`,
    ].join(' ');
    return { schemaId: spec.schemaId, fileName: schemaFileName(spec.schemaId), schema: { $schema, title: spec.schemaId, ...body, description } };
  });
}

/** The file's text: what `npm run schemas` writes and the drift test compares. */
export function renderJsonSchema(schema: UpstreamJsonSchema): string {
  return `${JSON.stringify(schema.schema, null, 2)}\n`;
}

interface CheckDefinition {
  readonly check?: string;
  readonly error?: unknown;
}

/** The messages of the schema's refine / superRefine checks (undefined for one without a message). */
function customCheckMessages(schema: unknown): Array<string | undefined> {
  const checks = (schema as { _zod?: { def?: { checks?: ReadonlyArray<{ _zod?: { def?: CheckDefinition } }> } } })._zod?.def?.checks ?? [];
  return checks
    .map((check) => check._zod?.def)
    .filter((def): def is CheckDefinition => def?.check === 'custom')
    .map((def) => {
      const error = typeof def.error === 'function' ? (def.error as () => unknown)() : def.error;
      return typeof error === 'string' ? error : undefined;
    });
}

/** JSON Schema location → payload path: ['properties','period','properties','start'] → 'period.start'. */
function payloadPath(path: ReadonlyArray<string | number>): string {
  const parts: string[] = [];
  for (let i = 0; i < path.length; i += 1) {
    const step = path[i];
    if (step === 'properties') continue;
    if (step === 'anyOf' || step === 'oneOf') i += 1;
    else if (step === 'items') parts.push('[]');
    else if (step === 'prefixItems') parts.push(`[${String(path[(i += 1)])}]`);
    else parts.push(String(step));
  }
  return parts.join('.').replace(/\.\[/g, '[');
}
