import { createHash } from 'node:crypto';
import { isContactReference } from '../contacts/contact-reference.js';
import { looksLikeIdentifier } from '../log/scrub.js';

/** Who acted. `system` is the box itself (sweeper, key rotation, boot). */
export const AUDIT_ACTOR_ROLES = ['volunteer', 'supervisor', 'coordinator', 'technician', 'system'] as const;
export type AuditActorRole = (typeof AUDIT_ACTOR_ROLES)[number];

/**
 * What happened, as stable strings: they are hashed into the chain and read by people years later,
 * so an action is never renamed, only added.
 */
export const AUDIT_ACTIONS = [
  'key.created',
  'key.rotated',
  'key.shredded',
  'keyring.rewrapped',
  'retention.run',
  'request.registered',
  'request.answered',
  'request.refused',
  'request.identity-checked',
  'request.extended',
  'disclosure.requested',
  'disclosure.approved',
  'disclosure.unsealed',
  'export.written',
  'login.succeeded',
  'login.failed',
  'logout',
  'account.created',
  'account.disabled',
  'account.enabled',
  'account.role-changed',
  'account.password-changed',
  'moderation.timeout',
  'moderation.block',
  'moderation.lifted',
  'listen-along.started',
  'listen-along.stopped',
  'transcript.read',
  'chat-address.revealed',
  'fragment.drafted',
  'fragment.saved',
  'fragment.deleted',
  'incident.raised',
  'incident.updated',
  'incident.closed',
  'config.changed',
  'update.installed',
  'update.rolled-back',
  'update.uploaded',
  'tamper.detected',
  'keyring.zeroized',
  'panel.lost',
  'panel.found',
  'maintenance.entered',
  'maintenance.left',
  'fault.raised',
  'fault.cleared',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** How an account appears as an actor or a target: `account:<id>`, apart from the box's own actors. */
export function accountActorId(accountId: string): string {
  return `account:${accountId}`;
}

/** Counts and codes only: never free text that could carry an identifier. */
export type AuditDetails = Readonly<Record<string, number | string | boolean>>;

export interface NewAuditEntry {
  readonly actorRole: AuditActorRole;
  readonly actorId: string;
  readonly action: AuditAction;
  /** A contact reference (`K7Q-3F9`) or a plain id (`request-12`, `incident-3`, `account:alice`). */
  readonly target?: string;
  readonly details?: AuditDetails;
}

/** One entry as stored: its place in the chain and the two hashes that tie it there. */
export interface AuditRecord {
  readonly seq: number;
  /** UTC, ISO 8601 with milliseconds and `Z`, whatever the site's zone. */
  readonly at: string;
  readonly actorRole: AuditActorRole;
  readonly actorId: string;
  readonly action: AuditAction;
  readonly target: string | null;
  readonly details: AuditDetails;
  readonly prevHash: Uint8Array;
  readonly hash: Uint8Array;
}

/** The fields the hash commits to, as text exactly as stored (details as its canonical JSON). */
export interface HashedAuditFields {
  readonly seq: number;
  readonly at: string;
  readonly actorRole: string;
  readonly actorId: string;
  readonly action: string;
  readonly target: string | null;
  readonly detailsJson: string;
}

export const AUDIT_HASH_BYTES = 32;
/** The previous hash of entry 1. */
export const GENESIS_HASH: Uint8Array = new Uint8Array(AUDIT_HASH_BYTES);

/** Bumped only with a new encoding; older entries would then need their own verifier. */
const ENCODING_TAG = 'hgw-audit-v1';

const PLAIN_ID = /^[a-z][a-z0-9-]*(?::[A-Za-z0-9][A-Za-z0-9._-]*)?$/;
const DETAIL_KEY = /^[a-z][A-Za-z0-9_]*$/;
const MAX_ID_LENGTH = 64;
const MAX_DETAIL_KEYS = 32;
const MAX_DETAIL_KEY_LENGTH = 40;
const MAX_DETAIL_TEXT = 120;
/** Six digits, allowing the spaces, dots, brackets and slashes people write numbers with; not dashes, so `2025-03` stays a code. */
const SIX_DIGITS = /\d(?:[\s().\/]?\d){5,}/;
/** A count may pass a million; eight digits are a Belgian landline without its leading zero. */
const EIGHT_DIGITS = /\d{8,}/;

/**
 * Length-prefixed fields (4-byte big-endian length, then UTF-8), so no two different entries share
 * an encoding whatever their text holds; the target carries a presence byte so null and '' differ.
 */
export function encodeAuditEntry(fields: HashedAuditFields): Uint8Array {
  const parts: Buffer[] = [];
  const field = (text: string): void => {
    const bytes = Buffer.from(text, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  };
  field(ENCODING_TAG);
  field(String(fields.seq));
  field(fields.at);
  field(fields.actorRole);
  field(fields.actorId);
  field(fields.action);
  parts.push(Buffer.from([fields.target === null ? 0 : 1]));
  if (fields.target !== null) field(fields.target);
  field(fields.detailsJson);
  return new Uint8Array(Buffer.concat(parts));
}

/** SHA-256(prev_hash ‖ encoding): each entry commits to the whole chain before it. */
export function auditEntryHash(prevHash: Uint8Array, fields: HashedAuditFields): Uint8Array {
  return new Uint8Array(createHash('sha256').update(prevHash).update(encodeAuditEntry(fields)).digest());
}

/** Sorted keys, no whitespace: the same details always give the same text and the same hash. */
export function canonicalDetailsJson(details: AuditDetails): string {
  const keys = Object.keys(details).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${JSON.stringify(details[key])}`).join(',')}}`;
}

export function parseDetailsJson(text: string): AuditDetails {
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TypeError('audit details are not an object');
  const details: Record<string, number | string | boolean> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== 'number' && typeof value !== 'string' && typeof value !== 'boolean') {
      throw new TypeError(`audit details.${key} is not a number, string or boolean`);
    }
    details[key] = value;
  }
  return details;
}

export function isAuditAction(text: string): text is AuditAction {
  return (AUDIT_ACTIONS as readonly string[]).includes(text);
}

export function isAuditActorRole(text: string): text is AuditActorRole {
  return (AUDIT_ACTOR_ROLES as readonly string[]).includes(text);
}

/**
 * Refuses anything that could put an identifier into the log. Messages name the field, never its
 * value: the value is what must not be written anywhere.
 */
export function assertAuditEntry(entry: NewAuditEntry): void {
  if (!isAuditActorRole(entry.actorRole)) throw new TypeError(`audit actorRole is not one of ${AUDIT_ACTOR_ROLES.join(', ')}`);
  if (!isAuditAction(entry.action)) throw new TypeError('audit action is not a known AuditAction');
  assertPlainId('actorId', entry.actorId);
  if (entry.target !== undefined && !isContactReference(entry.target)) assertPlainId('target', entry.target);
  if (entry.details !== undefined) assertDetails(entry.details);
}

function assertPlainId(name: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_LENGTH || !PLAIN_ID.test(value)) {
    throw new TypeError(`audit ${name} must be a contact reference or a plain id such as request-12 or account:alice`);
  }
  assertNoIdentifier(name, value);
}

function assertDetails(details: AuditDetails): void {
  if (typeof details !== 'object' || details === null || Array.isArray(details)) throw new TypeError('audit details must be an object');
  const entries = Object.entries(details);
  if (entries.length > MAX_DETAIL_KEYS) throw new TypeError(`audit details: at most ${MAX_DETAIL_KEYS} keys`);
  for (const [key, value] of entries) {
    if (!DETAIL_KEY.test(key) || key.length > MAX_DETAIL_KEY_LENGTH) throw new TypeError('audit details: keys are short camelCase codes');
    const name = `details.${key}`;
    if (typeof value === 'boolean') continue;
    if (typeof value === 'number') {
      if (!Number.isFinite(value) || EIGHT_DIGITS.test(String(value))) {
        throw new TypeError(`audit ${name}: a number must be finite with fewer than 8 digits (counts and codes only)`);
      }
      continue;
    }
    if (typeof value !== 'string') throw new TypeError(`audit ${name}: only numbers, strings and booleans`);
    if (value.length > MAX_DETAIL_TEXT) throw new TypeError(`audit ${name}: at most ${MAX_DETAIL_TEXT} characters (codes, not text)`);
    assertNoIdentifier(name, value);
  }
}

function assertNoIdentifier(name: string, value: string): void {
  if (value.includes('@') || SIX_DIGITS.test(value) || looksLikeIdentifier(value)) {
    throw new TypeError(`audit ${name}: looks like a phone number, e-mail or IP address; the audit log holds no identifiers`);
  }
}
