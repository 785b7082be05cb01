import { describe, expect, it } from 'vitest';
import { buildResearchDataSet, cryptoRandom, RecordIdMinter, type RandomSource, type ResearchSettings, type SourceRegistration } from '../../src/research/index.js';

const AMSTERDAM = 'Europe/Amsterdam';
const categories = { topics: ['school', 'family', 'bullying'], ageBands: ['8-11', '12-14', '15-17', '18-21', 'unknown'], outcomes: ['conversation', 'referred'] };
const settings: ResearchSettings = { k: 3, l: 2, maxSuppressionPercent: 5, includeOutcome: true };
const RECORD_ID = /^[bcdfghjklmnpqrst]{20}$/;

/** 300 registrations over the first half of 2026, ids 1…300. */
function registrations(count = 300): SourceRegistration[] {
  const topics = ['school', 'family', 'bullying'];
  const bands = ['12-14', '15-17', '12-14', '8-11'];
  return Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    occurredAt: Date.parse('2026-01-01T12:00:00Z') + (i % 180) * 86_400_000,
    channel: (['phone', 'chat', 'phone'] as const)[i % 3] ?? 'phone',
    ageBand: bands[i % 4] ?? '12-14',
    topic: topics[(i * 7) % 3] ?? 'school',
    outcome: i % 5 === 0 ? 'referred' : 'conversation',
  }));
}

function parse(csv: string): { header: string[]; rows: string[][] } {
  const lines = csv.split('\r\n');
  expect(lines.pop()).toBe('');
  const [header, ...rows] = lines.map((line) => line.split(','));
  return { header: header ?? [], rows };
}

/** A known key, so a test can work out which registration each row came from; the order still comes from the CSPRNG. */
function knownKey(key: Uint8Array): RandomSource {
  return { bytes: () => Uint8Array.from(key), below: cryptoRandom.below };
}

describe('a research data set', () => {
  it('has a record id, the generalized quasi-identifiers and the topic, and nothing else', () => {
    const { csv, summary } = buildResearchDataSet({ registrations: registrations(), categories, timeZone: AMSTERDAM, settings }, cryptoRandom);
    const { header, rows } = parse(csv);
    expect(header).toEqual(['record_id', 'period', 'age_band', 'channel', 'outcome', 'topic']);
    expect(summary.columns).toEqual(header);
    expect(rows).toHaveLength(summary.recordsOut);
    expect(summary.recordsIn).toBe(300);
    expect(summary.recordsOut + summary.suppressed).toBe(300);
    for (const row of rows) {
      expect(row[0]).toMatch(RECORD_ID);
      expect(row[1]).toMatch(/^2026(-(0[1-6]|Q[12]|H1))?$/);
      expect(categories.topics).toContain(row[5]);
    }
  });

  it('leaves the outcome out when the site says so', () => {
    const { csv } = buildResearchDataSet({ registrations: registrations(), categories, timeZone: AMSTERDAM, settings: { ...settings, includeOutcome: false } }, cryptoRandom);
    expect(parse(csv).header).toEqual(['record_id', 'period', 'age_band', 'channel', 'topic']);
  });

  it('counts months in the site zone and reads a value outside the lists as other', () => {
    // 22:30 UTC on 31 March is 00:30 on 1 April in Amsterdam (summer time).
    const late = Date.parse('2026-03-31T22:30:00Z');
    const rows: SourceRegistration[] = Array.from({ length: 6 }, (_, i) => ({
      id: i + 1,
      occurredAt: late,
      channel: 'chat',
      ageBand: i < 3 ? 'retired-band' : 'unknown',
      topic: i % 2 === 0 ? 'school' : 'retired-topic',
      outcome: 'conversation',
    }));
    const { csv, summary } = buildResearchDataSet({ registrations: rows, categories, timeZone: AMSTERDAM, settings }, cryptoRandom);
    const written = parse(csv).rows;
    expect(summary.suppressed).toBe(0);
    expect(new Set(written.map((row) => row[1]))).toEqual(new Set(['2026-04']));
    expect(new Set(written.map((row) => row[2]))).toEqual(new Set(['other', 'unknown']));
    expect(new Set(written.map((row) => row[5]))).toEqual(new Set(['school', 'other']));
  });

  it('puts a contact at local midnight in the new month and one a millisecond before in the old', () => {
    const midnight = Date.parse('2026-03-31T22:00:00Z');
    const rows: SourceRegistration[] = Array.from({ length: 12 }, (_, i) => ({
      id: i + 1,
      occurredAt: i < 6 ? midnight - 1 : midnight,
      channel: 'phone',
      ageBand: '12-14',
      topic: i % 2 === 0 ? 'school' : 'family',
      outcome: 'conversation',
    }));
    const { csv } = buildResearchDataSet({ registrations: rows, categories, timeZone: AMSTERDAM, settings }, cryptoRandom);
    const months = parse(csv).rows.map((row) => row[1]);
    expect(months.filter((month) => month === '2026-03')).toHaveLength(6);
    expect(months.filter((month) => month === '2026-04')).toHaveLength(6);
  });

  it('gives two exports of the same data no record id in common: they join on the generalized values only', () => {
    const input = { registrations: registrations(), categories, timeZone: AMSTERDAM, settings };
    const first = buildResearchDataSet(input, cryptoRandom);
    const second = buildResearchDataSet(input, cryptoRandom);
    const a = parse(first.csv).rows;
    const b = parse(second.csv).rows;
    const idsA = new Set(a.map((row) => row[0]));
    const idsB = new Set(b.map((row) => row[0]));
    expect(idsA.size).toBe(a.length);
    expect(idsB.size).toBe(b.length);
    expect([...idsA].filter((id) => idsB.has(id))).toEqual([]);
    // What is left to join on is the generalized values, which are the same multiset in both.
    const withoutId = (rows: string[][]): string[] => rows.map((row) => row.slice(1).join(',')).sort();
    expect(withoutId(a)).toEqual(withoutId(b));
    expect(first.csv).not.toBe(second.csv);
  });

  it('derives no record id from the row id alone or under a fixed key', () => {
    const rows = registrations(50);
    const { csv } = buildResearchDataSet({ registrations: rows, categories, timeZone: AMSTERDAM, settings: { ...settings, k: 2 } }, cryptoRandom);
    const written = new Set(parse(csv).rows.map((row) => row[0]));
    const zeroKey = new RecordIdMinter(knownKey(new Uint8Array(32)));
    for (const row of rows) {
      expect(written.has(zeroKey.idFor(row.id))).toBe(false);
      expect(written.has(String(row.id))).toBe(false);
    }
  });

  it('writes the rows in a random order, not in the order they were stored', () => {
    const key = new Uint8Array(32).fill(7);
    const rows = registrations(300);
    const minter = new RecordIdMinter(knownKey(key));
    const idToRow = new Map(rows.map((row) => [minter.idFor(row.id), row.id]));
    const orders = [0, 1].map(() => parse(buildResearchDataSet({ registrations: rows, categories, timeZone: AMSTERDAM, settings }, knownKey(key)).csv).rows.map((row) => idToRow.get(row[0] ?? '') ?? -1));
    for (const order of orders) {
      expect(order).not.toContain(-1);
      expect(order).not.toEqual([...order].sort((x, y) => x - y));
    }
    expect(orders[0]).not.toEqual(orders[1]);
  });

  it('reports the level chosen per quasi-identifier and the age bands as written', () => {
    const { summary } = buildResearchDataSet({ registrations: registrations(), categories, timeZone: AMSTERDAM, settings: { ...settings, k: 40 } }, cryptoRandom);
    expect(Object.keys(summary.levels)).toEqual(['period', 'ageBand', 'channel', 'outcome']);
    expect(summary.generalized).toBeGreaterThan(0);
    expect(summary.smallestClass).toBeGreaterThanOrEqual(40);
    expect(summary.ageBandsWritten.length).toBeGreaterThan(0);
  });
});
