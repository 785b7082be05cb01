import type { Policy } from '../config/policy-presets.js';
import type { DataClass } from '../privacy/types.js';

/**
 * What the box stores that a retention rule applies to. `phone-linkage` is the link keys (and the
 * pseudonym columns they make linkable); the others are one stored kind each.
 */
export type RetentionDataClass =
  | 'phone-linkage'
  | 'phone-number'
  | 'chat-transcript'
  | 'chat-ip'
  | 'mail'
  | 'mail-content'
  | 'time-out'
  | 'block'
  | 'registration';

export const RETENTION_DATA_CLASSES: readonly RetentionDataClass[] = [
  'phone-linkage',
  'phone-number',
  'chat-transcript',
  'chat-ip',
  'mail',
  'mail-content',
  'time-out',
  'block',
  'registration',
];

/** The keyring's per-month key family whose keys a rule destroys: link keys or one vault class. */
export type RetentionKeyFamily = 'link' | DataClass;

/** The promise of the statements (DESIGN.md "The promises") a rule enforces. */
export type PromiseId = 'P4' | 'P5' | 'P8' | 'P10' | 'P11';

interface RuleBase {
  readonly dataClass: RetentionDataClass;
  readonly promise: PromiseId;
}

/**
 * Kept for `months` calendar months counted from the local month of the item, the item's month
 * included: with 6, everything of March is gone when September starts. Keys are per month epoch.
 */
export interface MonthWindowRule extends RuleBase {
  readonly kind: 'month-window';
  readonly months: number;
  readonly keyFamily?: RetentionKeyFamily;
}

/** Kept until the local calendar year of receipt ends (1 January 00:00 in the site's zone). */
export interface CalendarYearRule extends RuleBase {
  readonly kind: 'calendar-year';
  readonly keyFamily?: RetentionKeyFamily;
}

/**
 * Kept for a length counted from the moment the item was given: real elapsed hours, or calendar
 * months that keep the local wall-clock time. Not keyed by month: each item has its own end.
 */
export interface DurationRule extends RuleBase {
  readonly kind: 'duration';
  readonly length: { readonly hours: number } | { readonly months: number };
}

/** Kept: the item holds no identifier (registrations). */
export interface KeepRule extends RuleBase {
  readonly kind: 'keep';
}

/**
 * Not kept past the contact (a policy of 0 months): due the moment it is stored. Keys of past
 * months go; the current month's key stays, because the keyring never gives a shredded month a new
 * key and a live contact may still need it.
 */
export interface NotKeptRule extends RuleBase {
  readonly kind: 'not-kept';
  readonly keyFamily?: RetentionKeyFamily;
}

export type RetentionRule = MonthWindowRule | CalendarYearRule | DurationRule | KeepRule | NotKeptRule;

export type RetentionRuleKind = RetentionRule['kind'];

/** A month-count rule; 0 months (allowed for chat transcripts) means not kept at all. */
function monthsRule(dataClass: RetentionDataClass, months: number, promise: PromiseId, keyFamily?: RetentionKeyFamily): MonthWindowRule | NotKeptRule {
  const keys = keyFamily === undefined ? {} : { keyFamily };
  if (months === 0) return { kind: 'not-kept', dataClass, promise, ...keys };
  return { kind: 'month-window', dataClass, promise, months, ...keys };
}

function assertWholeCount(name: keyof Policy, value: number, minimum: number): void {
  if (!Number.isInteger(value) || value < minimum) {
    throw new RangeError(`policy ${name} must be a whole number of at least ${minimum}, got ${value}`);
  }
}

/**
 * One rule per data class, in RETENTION_DATA_CLASSES order. The policy is assumed validated by the
 * config schema; the checks here only keep a hand-built policy from producing a rule that would
 * never expire or expire before the item exists.
 */
export function retentionRules(policy: Policy): RetentionRule[] {
  assertWholeCount('phoneLinkageMonths', policy.phoneLinkageMonths, 1);
  assertWholeCount('phoneSealedMonths', policy.phoneSealedMonths, 1);
  assertWholeCount('chatTranscriptMonths', policy.chatTranscriptMonths, 0);
  assertWholeCount('blockMonths', policy.blockMonths, 1);
  if (!(Number.isFinite(policy.timeOutHours) && policy.timeOutHours > 0)) {
    throw new RangeError(`policy timeOutHours must be positive, got ${policy.timeOutHours}`);
  }
  return [
    monthsRule('phone-linkage', policy.phoneLinkageMonths, 'P5', 'link'),
    monthsRule('phone-number', policy.phoneSealedMonths, 'P5', 'phone-number'),
    monthsRule('chat-transcript', policy.chatTranscriptMonths, 'P8', 'chat-transcript'),
    // The IP goes with its transcript: it is kept only so a coordinator can see it beside it.
    monthsRule('chat-ip', policy.chatTranscriptMonths, 'P8', 'chat-ip'),
    { kind: 'calendar-year', dataClass: 'mail', promise: 'P10', keyFamily: 'mail-address' },
    // "Op het einde van het jaar worden alle mails gewist": the mails themselves, with their keys.
    { kind: 'calendar-year', dataClass: 'mail-content', promise: 'P10', keyFamily: 'mail-content' },
    { kind: 'duration', dataClass: 'time-out', promise: 'P4', length: { hours: policy.timeOutHours } },
    { kind: 'duration', dataClass: 'block', promise: 'P4', length: { months: policy.blockMonths } },
    { kind: 'keep', dataClass: 'registration', promise: 'P11' },
  ];
}

/** The key family whose month keys the rule destroys; undefined for rules without month keys. */
export function keyFamilyOf(rule: RetentionRule): RetentionKeyFamily | undefined {
  return rule.kind === 'month-window' || rule.kind === 'calendar-year' || rule.kind === 'not-kept' ? rule.keyFamily : undefined;
}

/** The rule for one class; throws when the list has none (a programming error, not a config one). */
export function ruleFor(rules: readonly RetentionRule[], dataClass: RetentionDataClass): RetentionRule {
  const rule = rules.find((candidate) => candidate.dataClass === dataClass);
  if (!rule) throw new RangeError(`no retention rule for ${dataClass}`);
  return rule;
}
