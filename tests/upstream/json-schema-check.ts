/**
 * A small JSON Schema (draft 2020-12) validator for the keywords docs/schemas/ uses, so the tests
 * check the committed files with code that shares nothing with zod. A keyword it does not know
 * is an error, never silently passed.
 */
type Schema = Record<string, unknown>;

const ANNOTATIONS = new Set(['$schema', 'title', 'description']);
const KNOWN = new Set([
  ...ANNOTATIONS,
  'type', 'properties', 'required', 'additionalProperties', 'const', 'enum', 'pattern', 'minLength', 'maxLength',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'items', 'prefixItems', 'minItems', 'maxItems', 'anyOf',
]);

/** Where `value` breaks `schema`, as `path: reason` lines; empty when it is valid. */
export function jsonSchemaErrors(schema: Schema, value: unknown, path = '$'): string[] {
  const unknown = Object.keys(schema).filter((keyword) => !KNOWN.has(keyword));
  if (unknown.length > 0) throw new Error(`${path}: keywords this checker does not know: ${unknown.join(', ')}`);
  const errors: string[] = [];
  const fail = (reason: string): void => void errors.push(`${path}: ${reason}`);

  if ('type' in schema && !hasType(value, schema['type'] as string)) return [`${path}: not ${String(schema['type'])}`];
  if ('const' in schema && JSON.stringify(value) !== JSON.stringify(schema['const'])) fail(`not ${JSON.stringify(schema['const'])}`);
  if ('enum' in schema && !(schema['enum'] as unknown[]).some((option) => JSON.stringify(option) === JSON.stringify(value))) fail('not one of the enum');
  if ('anyOf' in schema && !(schema['anyOf'] as Schema[]).some((option) => jsonSchemaErrors(option, value, path).length === 0)) fail('matches none of anyOf');

  if (typeof value === 'string') {
    if ('pattern' in schema && !new RegExp(schema['pattern'] as string, 'u').test(value)) fail('does not match the pattern');
    if ('minLength' in schema && [...value].length < Number(schema['minLength'])) fail('too short');
    if ('maxLength' in schema && [...value].length > Number(schema['maxLength'])) fail('too long');
  }
  if (typeof value === 'number') {
    if ('minimum' in schema && value < Number(schema['minimum'])) fail('below minimum');
    if ('maximum' in schema && value > Number(schema['maximum'])) fail('above maximum');
    if ('exclusiveMinimum' in schema && value <= Number(schema['exclusiveMinimum'])) fail('not above exclusiveMinimum');
    if ('exclusiveMaximum' in schema && value >= Number(schema['exclusiveMaximum'])) fail('not below exclusiveMaximum');
  }
  if (Array.isArray(value)) {
    if ('minItems' in schema && value.length < Number(schema['minItems'])) fail('too few items');
    if ('maxItems' in schema && value.length > Number(schema['maxItems'])) fail('too many items');
    const prefix = (schema['prefixItems'] as Schema[] | undefined) ?? [];
    prefix.forEach((item, i) => {
      if (i < value.length) errors.push(...jsonSchemaErrors(item, value[i], `${path}[${i}]`));
    });
    const rest = schema['items'];
    for (let i = prefix.length; i < value.length; i += 1) {
      if (rest === false) fail(`item ${i} not allowed`);
      else if (rest !== undefined) errors.push(...jsonSchemaErrors(rest as Schema, value[i], `${path}[${i}]`));
    }
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const object = value as Record<string, unknown>;
    const properties = (schema['properties'] as Record<string, Schema> | undefined) ?? {};
    for (const key of (schema['required'] as string[] | undefined) ?? []) if (!(key in object)) fail(`missing ${key}`);
    for (const [key, item] of Object.entries(object)) {
      const property = properties[key];
      if (property) errors.push(...jsonSchemaErrors(property, item, `${path}.${key}`));
      else if (schema['additionalProperties'] === false) fail(`unexpected ${key}`);
      else if (typeof schema['additionalProperties'] === 'object') errors.push(...jsonSchemaErrors(schema['additionalProperties'] as Schema, item, `${path}.${key}`));
    }
  }
  return errors;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    default:
      throw new Error(`unknown type ${type}`);
  }
}
