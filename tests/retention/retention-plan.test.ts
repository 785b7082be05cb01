import { describe, expect, it } from 'vitest';
import { policyPresets } from '../../src/config/policy-presets.js';
import { expiresAt, startOfLocalMonth } from '../../src/retention/retention-calendar.js';
import { planRetention, type RetentionPlan, type StoredSummary } from '../../src/retention/retention-plan.js';
import { retentionRules, type RetentionDataClass } from '../../src/retention/retention-rules.js';
import { asMonthEpoch, shiftMonthEpoch, type MonthEpoch } from '../../src/time/month-epoch.js';

const DAY = 86_400_000;
const at = (iso: string): number => Date.parse(iso);
const months = (from: string, count: number): MonthEpoch[] => Array.from({ length: count }, (_, i) => shiftMonthEpoch(asMonthEpoch(from), i));

function classOf(plan: RetentionPlan, dataClass: RetentionDataClass) {
  const found = plan.classes.find((entry) => entry.dataClass === dataClass);
  if (!found) throw new Error(`no plan for ${dataClass}`);
  return found;
}

describe('the retention planner', () => {
  const timeZone = 'Europe/Amsterdam';
  const rules = retentionRules(policyPresets['allesoke-nl']);

  it('catches up after 60 days off: every epoch that became due in between, oldest first', () => {
    const lastRun = at('2025-06-20T12:00:00+02:00');
    const now = lastRun + 60 * DAY;
    const stored: StoredSummary = {
      'phone-linkage': { oldestItemAt: at('2025-01-03T09:00:00+01:00'), liveEpochs: months('2025-01', 6).reverse() },
      'phone-number': { oldestItemAt: at('2025-01-03T09:00:00+01:00'), liveEpochs: months('2025-01', 6) },
      'chat-transcript': { oldestItemAt: at('2025-04-02T20:00:00+02:00') },
      'chat-ip': { oldestItemAt: at('2025-04-02T20:00:00+02:00'), liveEpochs: months('2025-04', 3) },
      'time-out': { oldestItemAt: at('2025-06-19T22:00:00+02:00') },
      'block': { oldestItemAt: at('2025-05-01T10:00:00+02:00') },
      'registration': { oldestItemAt: at('2024-01-01T10:00:00+01:00') },
    };
    const plan = planRetention(rules, now, timeZone, stored);

    expect(classOf(plan, 'phone-linkage').epochsToShred).toEqual(['2025-01', '2025-02']);
    expect(classOf(plan, 'phone-number').epochsToShred).toEqual(['2025-01', '2025-02']);
    expect(classOf(plan, 'chat-ip').epochsToShred).toEqual(['2025-04', '2025-05']);
    for (const rule of rules) {
      const live = stored[rule.dataClass]?.liveEpochs ?? [];
      const becameDue = live
        .filter((epoch) => {
          const end = expiresAt(rule, startOfLocalMonth(shiftMonthEpoch(epoch, 1), timeZone) - 1, timeZone);
          return end > lastRun && end <= now;
        })
        .sort();
      expect(classOf(plan, rule.dataClass).epochsToShred).toEqual(becameDue);
    }
    expect(classOf(plan, 'phone-number')).toMatchObject({ keyFamily: 'phone-number', itemsDue: true, deleteItemsBefore: at('2025-03-01T00:00:00+01:00') });
    expect(classOf(plan, 'chat-transcript')).toMatchObject({ keyFamily: 'chat-transcript', itemsDue: true, deleteItemsBefore: at('2025-06-01T00:00:00+02:00') });
    expect(classOf(plan, 'time-out')).toMatchObject({ itemsDue: true, deleteItemsBefore: now - DAY + 1, epochsToShred: [] });
    expect(classOf(plan, 'block')).toMatchObject({ itemsDue: true, deleteItemsBefore: at('2025-05-19T12:00:00+02:00') + 1 });
    expect(classOf(plan, 'registration')).toMatchObject({ itemsDue: false, deleteItemsBefore: undefined, epochsToShred: [] });
    expect(plan.hasWork).toBe(true);
  });

  it('shreds the same epochs in one catch-up run as in a daily run over the same 60 days', () => {
    const start = at('2025-11-15T03:00:00+01:00');
    const live = { 'phone-number': months('2025-05', 7), 'chat-ip': months('2025-08', 4), mail: months('2025-01', 11) };
    const stored = (epochs: typeof live): StoredSummary => ({
      'phone-number': { liveEpochs: epochs['phone-number'] },
      'chat-ip': { liveEpochs: epochs['chat-ip'] },
      mail: { liveEpochs: epochs.mail },
    });
    const daily: Record<string, MonthEpoch[]> = { 'phone-number': [], 'chat-ip': [], mail: [] };
    let remaining = live;
    for (let day = 1; day <= 60; day++) {
      const plan = planRetention(rules, start + day * DAY, timeZone, stored(remaining));
      const next = { ...remaining };
      for (const dataClass of ['phone-number', 'chat-ip', 'mail'] as const) {
        const due = classOf(plan, dataClass).epochsToShred;
        daily[dataClass]?.push(...due);
        next[dataClass] = next[dataClass].filter((epoch) => !due.includes(epoch));
      }
      remaining = next;
    }
    const catchUp = planRetention(rules, start + 60 * DAY, timeZone, stored(live));
    for (const dataClass of ['phone-number', 'chat-ip', 'mail'] as const) {
      expect(classOf(catchUp, dataClass).epochsToShred).toEqual(daily[dataClass]);
    }
    expect(classOf(catchUp, 'mail').epochsToShred).toEqual(months('2025-01', 11));
    expect(classOf(catchUp, 'phone-number').epochsToShred).toEqual(['2025-05', '2025-06', '2025-07']);
    expect(classOf(catchUp, 'chat-ip').epochsToShred).toEqual(['2025-08', '2025-09', '2025-10']);
  });

  it('prints per class the oldest item and the next deadline, and marks an overdue one', () => {
    const now = at('2025-12-31T22:00:00+01:00');
    const plan = planRetention(rules, now, timeZone, {
      mail: { oldestItemAt: at('2025-03-10T08:15:30.250+01:00'), liveEpochs: months('2025-03', 10) },
      'phone-number': { oldestItemAt: at('2025-05-31T23:59:00+02:00'), liveEpochs: months('2025-05', 8) },
      registration: { oldestItemAt: at('2024-02-01T12:00:00+01:00') },
    });
    const text = Object.fromEntries(plan.status.map((line) => [line.dataClass, line.text]));
    expect(text['mail']).toBe('mail (calendar-year): oldest 2025-03-10T08:15:30+01:00, next deadline 2026-01-01T00:00:00+01:00, keys from 2025-01');
    expect(text['phone-number']).toBe('phone-number (month-window): oldest 2025-05-31T23:59:00+02:00, overdue since 2025-11-01T00:00:00+01:00, keys from 2025-07');
    expect(text['registration']).toBe('registration (keep): oldest 2024-02-01T12:00:00+01:00, kept (holds no identifier)');
    expect(text['time-out']).toBe('time-out (duration): nothing stored, no deadline');
    expect(plan.status.find((line) => line.dataClass === 'phone-number')).toMatchObject({ overdue: true, nextDeadline: at('2025-11-01T00:00:00+01:00') });
  });

  it('dates a key-only class by its oldest key when no item is counted', () => {
    const plan = planRetention(rules, at('2025-07-10T12:00:00+02:00'), timeZone, { 'chat-ip': { liveEpochs: [asMonthEpoch('2025-06'), asMonthEpoch('2025-05')] } });
    expect(plan.status.find((line) => line.dataClass === 'chat-ip')).toMatchObject({ nextDeadline: at('2025-08-01T00:00:00+02:00'), overdue: false });
    expect(plan.hasWork).toBe(false);
  });

  it('has no work when nothing stored is due', () => {
    const now = at('2025-07-10T12:00:00+02:00');
    const plan = planRetention(rules, now, timeZone, {
      'phone-number': { oldestItemAt: at('2025-02-01T00:00:00+01:00'), liveEpochs: months('2025-02', 6) },
      'time-out': { oldestItemAt: now - DAY + 1 },
    });
    expect(plan.hasWork).toBe(false);
    expect(plan.classes.every((entry) => entry.epochsToShred.length === 0 && !entry.itemsDue)).toBe(true);
  });
});
