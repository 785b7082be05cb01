import { z } from 'zod';
import { GatewayError } from '../errors.js';
import { INCIDENT_KINDS, INCIDENT_SEVERITIES, type IncidentKind } from '../incidents/incident-register.js';
import { scrubIdentifiers } from '../log/scrub.js';
import type { Channel } from '../privacy/types.js';
import type { IncidentSeverity } from '../store/incidents-repository.js';
import { PERIOD_LENGTHS, type PeriodLength } from './period-calendar.js';
import { statsMessageSchema, type StatsMessage } from './stats-message.js';

export type { StatsMessage } from './stats-message.js';

/**
 * The upstream wire contract: topic names and the only payloads that may travel on them. Every
 * outgoing payload passes `validateOutgoing` first; the schemas are strict (no extra keys), so a
 * field carrying anything personal cannot be added by accident. docs/upstream.md shows examples.
 */
export const TOPIC_ROOT = 'helpline/v1';

export type TopicKind = 'status' | 'stats' | 'health' | 'incident';

const TOPIC_KINDS: readonly TopicKind[] = ['status', 'stats', 'health', 'incident'];
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
export type OutgoingMessage = StatsMessage | StatusMessage | IncidentMessage;

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
const instantSchema = z.string().regex(LOCAL_ISO).refine((text) => Number.isFinite(Date.parse(text)));
const categorySchema = z.string().refine(isCategoryCode);

const periodSchema = z.strictObject({
  start: instantSchema,
  end: instantSchema,
  length: z.enum(PERIOD_LENGTHS as [PeriodLength, ...PeriodLength[]]),
}).refine((period) => Date.parse(period.start) < Date.parse(period.end));

const countSchema = z.number().int().nonnegative();

/** An object with exactly these keys, each a count. */
function countsOf(keys: readonly string[]): z.ZodType<Record<string, number>> {
  return z.strictObject(Object.fromEntries(keys.map((key) => [key, countSchema])));
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
  firmware: z.string().regex(/^[0-9A-Za-z.+-]{1,64}$/),
  at: instantSchema,
});

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
  const schema = kind === 'stats' ? statsSchema : kind === 'status' ? statusSchema : kind === 'incident' ? incidentSchema : undefined;
  if (!schema) throw new GatewayError('HGW_UPSTREAM_PAYLOAD', `no payload schema for ${kind} yet`);
  const result = schema.safeParse(parsed);
  if (!result.success) throw new GatewayError('HGW_UPSTREAM_PAYLOAD', `${kind} payload refused: ${describeIssues(result.error)}`);
  if (result.data.site !== site) throw new GatewayError('HGW_UPSTREAM_PAYLOAD', `${kind} payload names another site than its topic`);
  // The schemas are strict and match these types field for field; zod's inferred records are wider.
  return result.data as OutgoingMessage;
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
