import { formatLocalIso } from '../upstream/period-calendar.js';
import type { MonthEpoch } from '../time/month-epoch.js';
import { dueBefore, epochsDue, expiresAt, oldestLiveEpoch, startOfLocalMonth } from './retention-calendar.js';
import { keyFamilyOf, type RetentionDataClass, type RetentionKeyFamily, type RetentionRule, type RetentionRuleKind } from './retention-rules.js';

/** What the store and the keyring hold for one data class, as counted by the caller. */
export interface StoredClassSummary {
  /** When the oldest stored item of the class was taken in; undefined when none is stored. */
  readonly oldestItemAt?: number;
  /** Month epochs of the rule's key family that still have a key. */
  readonly liveEpochs?: readonly MonthEpoch[];
}

export type StoredSummary = Partial<Record<RetentionDataClass, StoredClassSummary>>;

/** What one class must lose now. Rows go first, then keys (a key must outlive its ciphertext's row). */
export interface ClassRetentionPlan {
  readonly dataClass: RetentionDataClass;
  readonly rule: RetentionRule;
  /** Items taken in before this instant are due; undefined when the rule keeps everything. */
  readonly deleteItemsBefore: number | undefined;
  /** Whether the stored summary shows at least one due item (the oldest one is due). */
  readonly itemsDue: boolean;
  /** Key family of `epochsToShred`; undefined when the rule keeps no per-month keys. */
  readonly keyFamily: RetentionKeyFamily | undefined;
  /** Month epochs whose keys must be destroyed, oldest first. */
  readonly epochsToShred: readonly MonthEpoch[];
}

/** One line of `retention status`: no identifier, only times and month names. */
export interface RetentionStatusLine {
  readonly dataClass: RetentionDataClass;
  readonly kind: RetentionRuleKind;
  readonly oldestItemAt: number | undefined;
  /** The oldest epoch the rule still allows a key for; undefined for rules without month keys. */
  readonly oldestLiveEpoch: MonthEpoch | undefined;
  /**
   * When something stored next must be gone: the oldest item's or the oldest live key's end, the
   * earlier one; in the past when overdue. Undefined when nothing stored will ever be due.
   */
  readonly nextDeadline: number | undefined;
  readonly overdue: boolean;
  readonly text: string;
}

export interface RetentionPlan {
  readonly now: number;
  readonly timeZone: string;
  readonly classes: readonly ClassRetentionPlan[];
  readonly status: readonly RetentionStatusLine[];
  /** Whether any class has due items or keys. */
  readonly hasWork: boolean;
}

function earliest(values: readonly (number | undefined)[]): number | undefined {
  const defined = values.filter((value): value is number => value !== undefined && Number.isFinite(value));
  return defined.length === 0 ? undefined : Math.min(...defined);
}

/** Whole seconds for display: items may carry milliseconds, the text need not. */
function localTime(at: number, timeZone: string): string {
  return formatLocalIso(Math.floor(at / 1000) * 1000, timeZone);
}

function statusText(line: Omit<RetentionStatusLine, 'text'>, timeZone: string): string {
  const oldest = line.oldestItemAt === undefined ? 'nothing stored' : `oldest ${localTime(line.oldestItemAt, timeZone)}`;
  const deadline =
    line.kind === 'keep'
      ? 'kept (holds no identifier)'
      : line.nextDeadline === undefined
        ? 'no deadline'
        : `${line.overdue ? 'overdue since' : 'next deadline'} ${localTime(line.nextDeadline, timeZone)}`;
  const keys = line.oldestLiveEpoch === undefined ? '' : `, keys from ${line.oldestLiveEpoch}`;
  return `${line.dataClass} (${line.kind}): ${oldest}, ${deadline}${keys}`;
}

function classPlan(rule: RetentionRule, stored: StoredClassSummary, now: number, timeZone: string): ClassRetentionPlan {
  const deleteItemsBefore = dueBefore(rule, now, timeZone);
  const keyFamily = keyFamilyOf(rule);
  return {
    dataClass: rule.dataClass,
    rule,
    deleteItemsBefore,
    itemsDue: stored.oldestItemAt !== undefined && deleteItemsBefore !== undefined && stored.oldestItemAt < deleteItemsBefore,
    keyFamily,
    epochsToShred: keyFamily === undefined ? [] : epochsDue(rule, now, timeZone, stored.liveEpochs ?? []),
  };
}

function statusLine(rule: RetentionRule, stored: StoredClassSummary, now: number, timeZone: string): RetentionStatusLine {
  const oldestKey = keyFamilyOf(rule) === undefined ? undefined : [...(stored.liveEpochs ?? [])].sort()[0];
  const itemDeadline = stored.oldestItemAt === undefined ? undefined : expiresAt(rule, stored.oldestItemAt, timeZone);
  // A month's key is due when the last item it could seal is: the deadline of the month's start.
  const keyDeadline = oldestKey === undefined ? undefined : expiresAt(rule, startOfLocalMonth(oldestKey, timeZone), timeZone);
  const deadline = earliest([itemDeadline, keyDeadline]);
  const fields = {
    dataClass: rule.dataClass,
    kind: rule.kind,
    oldestItemAt: stored.oldestItemAt,
    oldestLiveEpoch: oldestLiveEpoch(rule, now, timeZone),
    nextDeadline: deadline,
    overdue: deadline !== undefined && deadline <= now,
  };
  return { ...fields, text: statusText(fields, timeZone) };
}

/**
 * What retention must do at `now`: per class the rows to delete (before an instant) and the month
 * keys to destroy, plus a status line per class. Pure: the caller reads the summary from the store
 * and keyring, applies the plan, checkpoints, and audits the counts.
 */
export function planRetention(rules: readonly RetentionRule[], now: number, timeZone: string, stored: StoredSummary): RetentionPlan {
  const classes = rules.map((rule) => classPlan(rule, stored[rule.dataClass] ?? {}, now, timeZone));
  return {
    now,
    timeZone,
    classes,
    status: rules.map((rule) => statusLine(rule, stored[rule.dataClass] ?? {}, now, timeZone)),
    hasWork: classes.some((plan) => plan.itemsDue || plan.epochsToShred.length > 0),
  };
}
