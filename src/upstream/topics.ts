import { z } from 'zod';
import { GatewayError } from '../errors.js';
import { INCIDENT_KINDS, INCIDENT_SEVERITIES, type IncidentKind } from '../incidents/incident-register.js';
import { scrubIdentifiers } from '../log/scrub.js';
import type { Channel } from '../privacy/types.js';
import type { IncidentSeverity } from '../store/incidents-repository.js';
import { birthMessageSchema, type BirthMessage } from './birth-message.js';
import { healthMessageSchema, type HealthMessage } from './health-message.js';
import { PERIOD_LENGTHS, type PeriodLength } from './period-calendar.js';
import { PUBLISHED_KINDS, UPSTREAM_SCHEMA_IDS, type PublishedKind } from './schema-ids.js';
import { statsMessageSchema, type StatsMessage } from './stats-message.js';

export type { StatsMessage } from './stats-message.js';
export type { BirthMessage } from './birth-message.js';
export type { HealthMessage } from './health-message.js';

/**
 * The upstream wire contract: topic names and the only payloads that may travel on them. Every
 * outgoing payload passes `validateOutgoing` first; the schemas are strict (no extra keys), so a
 * field carrying anything personal cannot be added by accident. `UPSTREAM_PAYLOADS` is the one
 * registry of kind → schema id → zod schema, shared by the validator and by the JSON Schema files
 * in docs/schemas/ (`npm run schemas`). docs/upstream.md shows examples.
 */
export const TOPIC_ROOT = 'helpline/v1';

export type TopicKind = PublishedKind;

const TOPIC_KINDS: readonly TopicKind[] = PUBLISHED_KINDS;
const SITE_ID = /^[a-z0-9-]{1,64}$/;

export const STATS_CHANNELS: readonly Channel[] = ['phone', 'chat', 'mail'];

/** Registrations with a topic or age band outside the configured lists are counted here. */
export const OTHER_CATEGORY = 'other';

export function assertSiteId(site: string): void {
  if (!SITE_ID.test(site)) throw new GatewayError('HGW_UPSTREAM_TOPIC', 'site id must be 1-64 characters of a-z, 0-9 and -');
}

export function upstreamTopic(site: string, kind: TopicKind): string {
  assertSiteId(site);
  return `${TOPIC_ROOT}/${site}/${kind}`;
}

export const statusTopic = (site: string): string => upstreamTopic(site, 'status');
export const statsTopic = (site: string): string => upstreamTopic(site, 'stats');
export const healthTopic = (site: string): string => upstreamTopic(site, 'health');
export const incidentTopic = (site: string): string => upstreamTopic(site, 'incident');
export const birthTopic = (site: string): string => upstreamTopic(site, 'birth');

/** The site and kind of a topic this box may publish to; refuses wildcards and anything else. */
export function parseUpstreamTopic(topic: string): { site: string; kind: TopicKind } {
  if (topic.includes('+') || topic.includes('#')) {
    throw new GatewayError('HGW_UPSTREAM_TOPIC', 'refusing to publish to a topic with a wildcard');
  }
  const levels = topic.split('/');
  const [root, version, site, kind] = levels;
  if (levels.length !== 4 || `${root}/${version}` !== TOPIC_ROOT || site === undefined || !SITE_ID.test(site)) {
    throw new GatewayError('HGW_UPSTREAM_TOPIC', `not an upstream topic (want ${TOPIC_ROOT}/<site>/<kind>)`);
  }
  const known = TOPIC_KINDS.find((candidate) => candidate === kind);
  if (!known) throw new GatewayError('HGW_UPSTREAM_TOPIC', `unknown upstream topic kind (want ${TOPIC_KINDS.join(', ')})`);
  return { site, kind: known };
}

/**
 * Incidents of one closed period, as counts only: no summary, assessment, id or time finer than
 * the period ever travels. Every kind and severity is present, zeros included.
 */
export interface IncidentMessage {
  readonly schema: 'helpline.incident/1';
  readonly site: string;
  readonly session: string;
  readonly seq: number;
  readonly period: { readonly start: string; readonly end: string; readonly length: PeriodLength };
  readonly detectedByKind: Readonly<Record<IncidentKind, number>>;
  readonly detectedBySeverity: Readonly<Record<IncidentSeverity, number>>;
  /** Open at the end of the period. */
  readonly open: number;
  /** Open at the end of the period, past the 72-hour deadline and not reported to the authority by then. */
  readonly overdueUnreported: number;
}

export type StatusState = 'online' | 'offline';

/** Every payload the box may publish. */
export type OutgoingMessage = StatsMessage | StatusMessage | IncidentMessage | BirthMessage | HealthMessage;

export interface StatusMessage {
  readonly schema: 'helpline.status/1';
  readonly site: string;
  readonly session: string;
  readonly state: StatusState;
  readonly firmware: string;
  /** When this status was made: for a Last Will, when the connection that carries it was opened. */
  readonly at: string;
}

const LOCAL_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?(?:Z|[+-]\d{2}:\d{2})$/;
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CATEGORY_CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,47}$/;

/** A category is a short code from the config; one that looks like a number or address is refused. */
export function isCategoryCode(text: string): boolean {
  return CATEGORY_CODE.test(text) && !/\d{5}/.test(text) && scrubIdentifiers(text) === text;
}

const siteSchema = z.string().regex(SITE_ID);
const sessionSchema = z.string().regex(SESSION_ID);
const instantSchema = z.string().regex(LOCAL_ISO).refine((text) => Number.isFinite(Date.parse(text)), 'not a real calendar date and time');
const categorySchema = z
  .string()
  .regex(CATEGORY_CODE)
  .refine(isCategoryCode, 'a category that looks like a phone number, address or other identifier (a run of 5 digits, or text the identifier scrubber would replace)');
const firmwareSchema = z.string().regex(/^[0-9A-Za-z.+-]{1,64}$/);

const periodSchema = z.strictObject({
  start: instantSchema,
  end: instantSchema,
  length: z.enum(PERIOD_LENGTHS as [PeriodLength, ...PeriodLength[]]),
}).refine((period) => Date.parse(period.start) < Date.parse(period.end), 'start not before end');

const countSchema = z.number().int().nonnegative();

/** An object with exactly these keys, each a count. */
function countsOf<K extends string>(keys: readonly K[]): z.ZodType<Record<K, number>> {
  // The shape has exactly the keys of K; zod infers Object.fromEntries as a string-keyed record.
  return z.strictObject(Object.fromEntries(keys.map((key) => [key, countSchema]))) as unknown as z.ZodType<Record<K, number>>;
}

const statsSchema = statsMessageSchema({ site: siteSchema, session: sessionSchema, instant: instantSchema, category: categorySchema });

const incidentSchema = z.strictObject({
  schema: z.literal('helpline.incident/1'),
  site: siteSchema,
  session: sessionSchema,
  seq: z.number().int().positive(),
  period: periodSchema,
  detectedByKind: countsOf(INCIDENT_KINDS),
  detectedBySeverity: countsOf(INCIDENT_SEVERITIES),
  open: countSchema,
  overdueUnreported: countSchema,
}).refine((message) => message.overdueUnreported <= message.open, { path: ['overdueUnreported'], message: 'more overdue than open' });

const statusSchema = z.strictObject({
  schema: z.literal('helpline.status/1'),
  site: siteSchema,
  session: sessionSchema,
  state: z.enum(['online', 'offline']),
  firmware: firmwareSchema,
  at: instantSchema,
});

const birthSchema = birthMessageSchema({ site: siteSchema, session: sessionSchema, instant: instantSchema, firmware: firmwareSchema });

const healthSchema = healthMessageSchema({ site: siteSchema, session: sessionSchema, instant: instantSchema, firmware: firmwareSchema });

export interface UpstreamPayloadSpec<K extends PublishedKind = PublishedKind> {
  readonly schemaId: (typeof UPSTREAM_SCHEMA_IDS)[K];
  readonly payload: z.ZodType<OutgoingMessage>;
  /** For the JSON Schema file: what the payload is. */
  readonly description: string;
  /**
   * For the JSON Schema file: what each check without a message of its own (a superRefine, or a
   * refine in stats-message.ts) refuses, by payload path ('' for the whole message). The
   * generator stops on a check that has neither, so no check goes undocumented.
   */
  readonly unnamedChecks?: Readonly<Record<string, string>>;
}

/** The registry: every kind the box publishes, its schema id and its zod schema. */
export const UPSTREAM_PAYLOADS: { readonly [K in PublishedKind]: UpstreamPayloadSpec<K> } = {
  status: {
    schemaId: UPSTREAM_SCHEMA_IDS.status,
    payload: statusSchema,
    description: 'Retained on helpline/v1/<site>/status, QoS 1: online on connect, offline before a planned stop and as the Last Will.',
  },
  birth: {
    schemaId: UPSTREAM_SCHEMA_IDS.birth,
    payload: birthSchema,
    description:
      'On helpline/v1/<site>/birth, QoS 1, not retained: published on every (re)connect before the outbox is replayed; the firmware, the payload schemas of this session and the outbox report (waiting messages, messages dropped by the byte cap since the last acknowledged birth).',
  },
  stats: {
    schemaId: UPSTREAM_SCHEMA_IDS.stats,
    payload: statsSchema,
    description:
      'On helpline/v1/<site>/stats, QoS 1: the registrations of one closed period as a channel × topic × age band × outcome table with its margins, small counts suppressed (docs/upstream.md, docs/statistics.md).',
    unnamedChecks: {
      period: 'start not before end',
      '':
        'a withheld period with cells or margins; otherwise cells not one count per channel × topic × age band × outcome, margins not one table per margin group in the fixed order with one count per category combination, or a count in a cell or margin between 1 and disclosure.threshold − 1 that is not null',
    },
  },
  incident: {
    schemaId: UPSTREAM_SCHEMA_IDS.incident,
    payload: incidentSchema,
    description: 'On helpline/v1/<site>/incident, QoS 1, right after each stats message: counts of security incidents of the same period, by kind and severity.',
  },
  health: {
    schemaId: UPSTREAM_SCHEMA_IDS.health,
    payload: healthSchema,
    description:
      'Retained on helpline/v1/<site>/health, QoS 1, never through the outbox: published on every (re)connect, every 15 minutes and when the faults change; versions, uptime, free space, queue depths, the last retention run, the open incident count, fault codes, maintenance mode, the panel and the update state (docs/health.md).',
  },
};

/** Which paths failed, never the values: a value is exactly what must not reach a log. */
function describeIssues(error: z.ZodError): string {
  return error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.code}`).join('; ');
}

/**
 * Checks a topic and its payload text before anything is handed to MQTT: the topic must be one of
 * ours (no wildcards), the payload JSON must match that topic's schema exactly and name the same
 * site. Throws HGW_UPSTREAM_TOPIC or HGW_UPSTREAM_PAYLOAD.
 */
export function validateOutgoing(topic: string, payload: string): OutgoingMessage {
  const { site, kind } = parseUpstreamTopic(topic);
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    throw new GatewayError('HGW_UPSTREAM_PAYLOAD', `payload for ${kind} is not JSON`);
  }
  const result = UPSTREAM_PAYLOADS[kind].payload.safeParse(parsed);
  if (!result.success) throw new GatewayError('HGW_UPSTREAM_PAYLOAD', `${kind} payload refused: ${describeIssues(result.error)}`);
  if (result.data.site !== site) throw new GatewayError('HGW_UPSTREAM_PAYLOAD', `${kind} payload names another site than its topic`);
  return result.data;
}

/** Validated JSON text for a stats message. */
export function encodeStatsMessage(message: StatsMessage): string {
  const text = JSON.stringify(message);
  validateOutgoing(statsTopic(message.site), text);
  return text;
}

/** Validated JSON text for an incident message. */
export function encodeIncidentMessage(message: IncidentMessage): string {
  const text = JSON.stringify(message);
  validateOutgoing(incidentTopic(message.site), text);
  return text;
}

/** Validated JSON text for a status message. */
export function encodeStatusMessage(message: StatusMessage): string {
  const text = JSON.stringify(message);
  validateOutgoing(statusTopic(message.site), text);
  return text;
}

/** Validated JSON text for a health message. */
export function encodeHealthMessage(message: HealthMessage): string {
  const text = JSON.stringify(message);
  validateOutgoing(healthTopic(message.site), text);
  return text;
}

/** Validated JSON text for a birth message. */
export function encodeBirthMessage(message: BirthMessage): string {
  const text = JSON.stringify(message);
  validateOutgoing(birthTopic(message.site), text);
  return text;
}
