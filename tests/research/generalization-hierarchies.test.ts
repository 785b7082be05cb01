import { describe, expect, it } from 'vitest';
import { ageBandHierarchy, ANY, keepOrHideHierarchy, periodHierarchy } from '../../src/research/index.js';

describe('the period hierarchy', () => {
  it('goes from the local month to the quarter, the half-year and the year', () => {
    const period = periodHierarchy();
    expect(period.levels).toEqual(['month', 'quarter', 'half-year', 'year']);
    expect([0, 1, 2, 3].map((level) => period.generalize('2026-05', level))).toEqual(['2026-05', '2026-Q2', '2026-H1', '2026']);
    expect([0, 1, 2, 3].map((level) => period.generalize('2026-12', level))).toEqual(['2026-12', '2026-Q4', '2026-H2', '2026']);
    expect(period.generalize('2026-07', 2)).toBe('2026-H2');
  });

  it('refuses what is not a month and a level it does not have', () => {
    const period = periodHierarchy();
    expect(() => period.generalize('2026-13', 0)).toThrow(RangeError);
    expect(() => period.generalize('2026-01', 4)).toThrow(RangeError);
  });
});

describe('the age band hierarchy (adjacent merging)', () => {
  const bands = ['8-11', '12-14', '15-17', '18-21', 'unknown', 'other'];

  it('merges the year ranges in pairs, youngest first, keeps the other bands, and ends in *', () => {
    const age = ageBandHierarchy(bands);
    expect(age.levels).toEqual(['as registered', 'merged in 2s', 'any']);
    expect(bands.map((band) => age.generalize(band, 1))).toEqual(['8-14', '8-14', '15-21', '15-21', 'unknown', 'other']);
    expect(new Set(bands.map((band) => age.generalize(band, 2)))).toEqual(new Set([ANY]));
    expect(age.generalize('12-14', 0)).toBe('12-14');
  });

  it('sorts by age whatever the configured order, merges an odd one out later, and reads 18+ as open', () => {
    const age = ageBandHierarchy(['18+', '6-9', '13-17', '10-12', '0-5']);
    expect(age.levels).toEqual(['as registered', 'merged in 2s', 'merged in 4s', 'any']);
    expect(['0-5', '6-9', '10-12', '13-17', '18+'].map((band) => age.generalize(band, 1))).toEqual(['0-9', '0-9', '10-17', '10-17', '18+']);
    expect(['0-5', '6-9', '10-12', '13-17', '18+'].map((band) => age.generalize(band, 2))).toEqual(['0-17', '0-17', '0-17', '0-17', '18+']);
  });

  it('has only "as registered" and "any" when no two bands can merge', () => {
    const age = ageBandHierarchy(['12-14', 'unknown']);
    expect(age.levels).toEqual(['as registered', 'any']);
    expect(age.generalize('unknown', 1)).toBe(ANY);
  });

  it('refuses a band outside its list', () => {
    expect(() => ageBandHierarchy(bands).generalize('99', 0)).toThrow(RangeError);
  });
});

describe('the keep-or-hide hierarchy', () => {
  it('keeps the value or writes *', () => {
    const channel = keepOrHideHierarchy('channel', ['phone', 'chat', 'mail']);
    expect(channel.generalize('chat', 0)).toBe('chat');
    expect(channel.generalize('chat', 1)).toBe(ANY);
    expect(() => channel.generalize('fax', 0)).toThrow(RangeError);
  });
});
