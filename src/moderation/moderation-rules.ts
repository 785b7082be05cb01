import { can, type Capability, type Role } from '../accounts/roles.js';
import { accountActorId } from '../audit/audit-entry.js';
import { looksLikeIdentifier } from '../log/scrub.js';
import type { ModerationRow } from '../store/moderation-repository.js';
import { monthEpochAt, shiftMonthEpoch, type MonthEpoch } from '../time/month-epoch.js';
import { isActive } from './moderation-index.js';
import type { ModeratedCallerView, ModerationActor, ModerationEntryView, ModerationErrorCode, ModerationRefusal, ModerationResult } from './moderation-types.js';

/** A block's or a lift's reason: long enough to say why, short enough to stay a reason. */
export const MIN_REASON_LENGTH = 20;
export const MAX_REASON_LENGTH = 1000;

const REFUSAL_CODES: Readonly<Record<ModerationRefusal, ModerationErrorCode>> = {
  forbidden: 'HGW_MODERATION_FORBIDDEN',
  'unknown-contact': 'HGW_MODERATION_UNKNOWN_CONTACT',
  'unknown-entry': 'HGW_MODERATION_UNKNOWN_CONTACT',
  'caller-not-linkable': 'HGW_MODERATION_NOT_ELIGIBLE',
  'not-live': 'HGW_MODERATION_NOT_ELIGIBLE',
  'already-given': 'HGW_MODERATION_NOT_ELIGIBLE',
  'too-few-time-outs': 'HGW_MODERATION_NOT_ELIGIBLE',
  'already-blocked': 'HGW_MODERATION_NOT_ELIGIBLE',
  'already-lifted': 'HGW_MODERATION_NOT_ELIGIBLE',
  'no-reason': 'HGW_MODERATION_NOT_ELIGIBLE',
  'reason-holds-identifier': 'HGW_MODERATION_NOT_ELIGIBLE',
};

export function refused<T>(refusal: ModerationRefusal, message: string): ModerationResult<T> {
  return { ok: false, code: REFUSAL_CODES[refusal], refusal, message };
}

/** The role a capability is checked against and the id the audit log names. */
export interface ResolvedActor {
  readonly role: Role;
  readonly auditId: string;
}

/** A desk station acts as a volunteer under `station:<id>`; a person under their account. */
export function resolveActor(actor: ModerationActor): ResolvedActor {
  if ('stationId' in actor) return { role: 'volunteer', auditId: `station:${actor.stationId}` };
  return { role: actor.role, auditId: accountActorId(actor.accountId) };
}

export function lacks(actor: ResolvedActor, capability: Capability): boolean {
  return !can(actor.role, capability);
}

/** The refusal for a reason that is too short, too long or holds an identifier; undefined when fine. */
export function reasonRefusal(reason: string): ModerationRefusal | undefined {
  const text = reason.trim();
  if (text.length < MIN_REASON_LENGTH || text.length > MAX_REASON_LENGTH) return 'no-reason';
  if (looksLikeIdentifier(text)) return 'reason-holds-identifier';
  return undefined;
}

export function reasonMessage(refusal: ModerationRefusal): string {
  return refusal === 'reason-holds-identifier'
    ? 'the reason holds something shaped like a phone number, e-mail or IP address; say why without who'
    : `write a reason of ${MIN_REASON_LENGTH} to ${MAX_REASON_LENGTH} characters`;
}

/** The oldest month whose Time Outs still count: the oldest live link month at `now`. */
export function windowStartAt(now: number, timeZone: string, linkageMonths: number): MonthEpoch {
  return shiftMonthEpoch(monthEpochAt(now, timeZone), -(linkageMonths - 1));
}

export function timeOutsInWindow(entries: readonly ModerationRow[], windowStart: MonthEpoch): number {
  return entries.filter((entry) => entry.kind === 'time-out' && entry.liftedAt === null && entry.givenEpoch >= windowStart).length;
}

export function entryView(entry: ModerationRow, now: number): ModerationEntryView {
  return {
    id: entry.id,
    kind: entry.kind,
    reference: entry.contactReference as ModerationEntryView['reference'],
    givenBy: entry.givenBy,
    givenAt: entry.givenAt,
    until: entry.until,
    active: isActive(entry, now),
    reason: entry.reason,
    liftedAt: entry.liftedAt,
    liftedBy: entry.liftedBy,
  };
}

/** Active callers first, then by their latest entry, newest first. */
export function byAttention(a: ModeratedCallerView, b: ModeratedCallerView): number {
  const activeA = a.status.kind === 'none' ? 1 : 0;
  const activeB = b.status.kind === 'none' ? 1 : 0;
  if (activeA !== activeB) return activeA - activeB;
  return (b.entries[0]?.givenAt ?? 0) - (a.entries[0]?.givenAt ?? 0);
}
