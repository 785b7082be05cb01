import { createHash } from 'node:crypto';
import { isGatewayError } from '../errors.js';
import { looksLikeIdentifier, scrubIdentifiers } from '../log/scrub.js';
import { TOPIC_ROOT, validateOutgoing, type BirthMessage, type IncidentMessage, type StatsMessage, type StatusMessage } from '../upstream/index.js';

/**
 * What one MQTT message is, decided before anything touches the database: a message with a
 * sequence number (stats, incident), a status, a birth, a topic kind this collector does not know yet, or
 * something refused. Validation is the box's own (`validateOutgoing`), so the collector accepts
 * exactly what a box may send. A refused payload is described by its size, hash and the paths that
 * failed: never by its content, which may be exactly what must not be kept.
 */
export type QuarantineReason =
  | 'bad-topic'
  | 'too-large'
  | 'not-json'
  | 'invalid'
  | 'unknown-kind-refused'
  | 'seq-ahead'
  | 'seq-conflict'
  | 'store-refused';

export type SequencedMessage = StatsMessage | IncidentMessage;

interface Described {
  /** SHA-256 of the payload bytes as received. */
  readonly digest: Buffer;
  readonly size: number;
}

export type IncomingMessage =
  | (Described & { readonly type: 'sequenced'; readonly site: string; readonly kind: 'stats' | 'incident'; readonly message: SequencedMessage })
  | (Described & { readonly type: 'status'; readonly site: string; readonly message: StatusMessage; readonly retained: boolean })
  | (Described & { readonly type: 'birth'; readonly site: string; readonly message: BirthMessage })
  | (Described & { readonly type: 'unknown-kind'; readonly site: string; readonly kind: string; readonly payload: Readonly<Record<string, unknown>> })
  | (Described & { readonly type: 'refused'; readonly refusal: Refusal });

export interface Refusal {
  readonly reason: QuarantineReason;
  /** Paths and codes only, never values. */
  readonly error: string;
  /** Kept only when the topic is a well-formed upstream topic that holds nothing shaped like an identifier. */
  readonly topic?: string;
  readonly site?: string;
  readonly kind?: string;
  /** The payload's seq when it had a plausible one, so a gap can be matched with its refusal. */
  readonly seq?: number;
}

/** A stats table with 64 categories in each list is ~5 MB of JSON; anything bigger is not from a box. */
export const MAX_PAYLOAD_BYTES = 8 * 1024 * 1024;
/** An unknown kind is kept as sent only up to this size. */
export const MAX_UNKNOWN_KIND_BYTES = 256 * 1024;

const SITE_ID = /^[a-z0-9-]{1,64}$/;
const KIND = /^[a-z][a-z0-9-]{0,31}$/;
const VALIDATED_KINDS = new Set(['status', 'birth', 'stats', 'incident', 'health']);
const MAX_ERROR_CHARS = 500;

/**
 * Anything the log scrubber takes for an identifier, IPv4 and IPv6 addresses, and any run of eight
 * or more digits: a Dutch mobile number without its 06 still names a person, and an unknown kind
 * is kept whole, not scrubbed. IPv6 and the shorter runs were missing (found by fuzzing).
 */
const SHORT_NUMBER = /\d(?:[\s().\-/]{0,2}\d){7,}/;

function looksPersonal(text: string): boolean {
  return looksLikeIdentifier(text) || SHORT_NUMBER.test(text);
}

function parseTopic(topic: string): { site: string; kind: string } | undefined {
  const levels = topic.split('/');
  if (levels.length !== 4 || `${levels[0]}/${levels[1]}` !== TOPIC_ROOT) return undefined;
  const [, , site = '', kind = ''] = levels;
  if (!SITE_ID.test(site) || !KIND.test(kind) || looksPersonal(topic)) return undefined;
  return { site, kind };
}

function plausibleSeq(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null || !('seq' in value)) return undefined;
  const seq = (value as { seq: unknown }).seq;
  return typeof seq === 'number' && Number.isSafeInteger(seq) && seq > 0 ? seq : undefined;
}

function errorText(error: unknown): string {
  const text = isGatewayError(error) ? error.message : 'refused';
  return scrubIdentifiers(text).slice(0, MAX_ERROR_CHARS);
}

/** `retained`: the broker replayed it on subscribing (only status messages are retained). */
export function classifyIncoming(topic: string, payload: Buffer, retained = false): IncomingMessage {
  const described: Described = { digest: createHash('sha256').update(payload).digest(), size: payload.length };
  const refused = (refusal: Refusal): IncomingMessage => ({ ...described, type: 'refused', refusal });
  const parsedTopic = parseTopic(topic);
  if (!parsedTopic) return refused({ reason: 'bad-topic', error: `not ${TOPIC_ROOT}/<site>/<kind>, or a level shaped like an identifier` });
  const { site, kind } = parsedTopic;
  const where = { topic, site, kind };
  if (payload.length > MAX_PAYLOAD_BYTES) return refused({ ...where, reason: 'too-large', error: `payload over ${MAX_PAYLOAD_BYTES} bytes` });
  let text: string;
  let parsed: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(payload);
    parsed = JSON.parse(text);
  } catch {
    return refused({ ...where, reason: 'not-json', error: 'payload is not UTF-8 JSON' });
  }
  const seq = plausibleSeq(parsed);
  if (!VALIDATED_KINDS.has(kind)) {
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return refused({ ...where, seq, reason: 'unknown-kind-refused', error: 'unknown kind: payload is not a JSON object' });
    }
    if (payload.length > MAX_UNKNOWN_KIND_BYTES) return refused({ ...where, seq, reason: 'unknown-kind-refused', error: `unknown kind: payload over ${MAX_UNKNOWN_KIND_BYTES} bytes` });
    if (looksPersonal(text)) return refused({ ...where, seq, reason: 'unknown-kind-refused', error: 'unknown kind: payload holds something shaped like a phone number, e-mail or IP address' });
    return { ...described, type: 'unknown-kind', site, kind, payload: parsed as Record<string, unknown> };
  }
  let message;
  try {
    message = validateOutgoing(topic, text);
  } catch (error) {
    return refused({ ...where, seq, reason: 'invalid', error: errorText(error) });
  }
  if (message.schema === 'helpline.status/1') return { ...described, type: 'status', site, message, retained };
  if (message.schema === 'helpline.birth/1') return { ...described, type: 'birth', site, message };
  // Checked against its schema, then kept as sent: the collector has no table of its own for health.
  if (message.schema === 'helpline.health/1') return { ...described, type: 'unknown-kind', site, kind, payload: parsed as Record<string, unknown> };
  return { ...described, type: 'sequenced', site, kind: message.schema === 'helpline.incident/1' ? 'incident' : 'stats', message };
}
