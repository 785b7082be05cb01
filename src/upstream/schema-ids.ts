import { STATS_SCHEMA } from './stats-message.js';

/**
 * The payload schema of every topic kind the box publishes, by id (`name/version`). The birth
 * message announces this map; topics.ts pairs each id with its zod schema; docs/schemas/ holds
 * each as a JSON Schema file. A change to a payload's shape is a new version here.
 */
export const UPSTREAM_SCHEMA_IDS = {
  status: 'helpline.status/1',
  birth: 'helpline.birth/1',
  stats: STATS_SCHEMA,
  incident: 'helpline.incident/1',
  health: 'helpline.health/1',
} as const;

export type PublishedKind = keyof typeof UPSTREAM_SCHEMA_IDS;

export const PUBLISHED_KINDS = Object.keys(UPSTREAM_SCHEMA_IDS) as PublishedKind[];

/** `helpline.stats/2` → `helpline.stats-2.schema.json`, the file name in docs/schemas/. */
export function schemaFileName(schemaId: string): string {
  return `${schemaId.replace('/', '-')}.schema.json`;
}
