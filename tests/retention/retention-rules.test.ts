import { describe, expect, it } from 'vitest';
import { policyPresets, type Policy } from '../../src/config/policy-presets.js';
import { RETENTION_DATA_CLASSES, retentionRules, ruleFor } from '../../src/retention/retention-rules.js';

describe('retention rules derived from the policy preset', () => {
  it('gives every data class exactly one rule, in a fixed order', () => {
    for (const policy of Object.values(policyPresets)) {
      expect(retentionRules(policy).map((rule) => rule.dataClass)).toEqual(RETENTION_DATA_CLASSES);
    }
  });

  it('writes the Dutch statement as rules: phone 6 months, chat and its IP 3 months, mail to the year end', () => {
    expect(retentionRules(policyPresets['allesoke-nl'])).toEqual([
      { kind: 'month-window', dataClass: 'phone-linkage', promise: 'P5', months: 6, keyFamily: 'link' },
      { kind: 'month-window', dataClass: 'phone-number', promise: 'P5', months: 6, keyFamily: 'phone-number' },
      { kind: 'month-window', dataClass: 'chat-transcript', promise: 'P8', months: 3, keyFamily: 'chat-transcript' },
      { kind: 'month-window', dataClass: 'chat-ip', promise: 'P8', months: 3, keyFamily: 'chat-ip' },
      { kind: 'calendar-year', dataClass: 'mail', promise: 'P10', keyFamily: 'mail-address' },
      { kind: 'calendar-year', dataClass: 'mail-content', promise: 'P10', keyFamily: 'mail-content' },
      { kind: 'duration', dataClass: 'time-out', promise: 'P4', length: { hours: 24 } },
      { kind: 'duration', dataClass: 'block', promise: 'P4', length: { months: 3 } },
      { kind: 'keep', dataClass: 'registration', promise: 'P11' },
    ]);
  });

  it('keeps Belgian chat transcripts and their IPs at most six months', () => {
    const rules = retentionRules(policyPresets['lumi-be']);
    expect(ruleFor(rules, 'chat-transcript')).toMatchObject({ kind: 'month-window', months: 6 });
    expect(ruleFor(rules, 'chat-ip')).toMatchObject({ kind: 'month-window', months: 6, keyFamily: 'chat-ip' });
  });

  it('follows the overrides: shorter phone windows, a longer time-out, a 12-month block', () => {
    const policy: Policy = { ...policyPresets['allesoke-nl'], phoneLinkageMonths: 2, phoneSealedMonths: 1, timeOutHours: 72, blockMonths: 12 };
    const rules = retentionRules(policy);
    expect(ruleFor(rules, 'phone-linkage')).toMatchObject({ months: 2 });
    expect(ruleFor(rules, 'phone-number')).toMatchObject({ months: 1 });
    expect(ruleFor(rules, 'time-out')).toMatchObject({ length: { hours: 72 } });
    expect(ruleFor(rules, 'block')).toMatchObject({ length: { months: 12 } });
  });

  it('turns a 0-month chat policy into not-kept rules for the transcript and the IP', () => {
    const rules = retentionRules({ ...policyPresets['allesoke-nl'], chatTranscriptMonths: 0 });
    expect(ruleFor(rules, 'chat-transcript')).toEqual({ kind: 'not-kept', dataClass: 'chat-transcript', promise: 'P8', keyFamily: 'chat-transcript' });
    expect(ruleFor(rules, 'chat-ip')).toEqual({ kind: 'not-kept', dataClass: 'chat-ip', promise: 'P8', keyFamily: 'chat-ip' });
  });

  it('refuses a policy that would make an item expire before it exists or never', () => {
    const base = policyPresets['lumi-be'];
    expect(() => retentionRules({ ...base, phoneSealedMonths: 0 })).toThrow(/phoneSealedMonths/);
    expect(() => retentionRules({ ...base, phoneLinkageMonths: 1.5 })).toThrow(/phoneLinkageMonths/);
    expect(() => retentionRules({ ...base, chatTranscriptMonths: -1 })).toThrow(/chatTranscriptMonths/);
    expect(() => retentionRules({ ...base, blockMonths: 0 })).toThrow(/blockMonths/);
    expect(() => retentionRules({ ...base, timeOutHours: Number.NaN })).toThrow(/timeOutHours/);
  });
});
