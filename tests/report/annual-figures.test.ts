import { describe, expect, it } from 'vitest';
import { buildAnnualReport, figureText, monthOfPeriod, readPublishedPeriods, type AnnualReport, type PublishedPeriod } from '../../src/report/index.js';
import { thrownBy } from '../support/thrown-by.js';
import { AMSTERDAM, publishedRow, releasedMessage, weeks, withheldMessage, yearOfWeeks, type TrueCount } from './stats-fixture.js';

const [w1, w2, w3] = weeks('2026-03-02T00:00:00+01:00', '2026-03-23T00:00:00+01:00');

function periods(...messages: Parameters<typeof publishedRow>[1][]): PublishedPeriod[] {
  return readPublishedPeriods(messages.map((message) => publishedRow(message.seq, message)));
}

const count = (channel: TrueCount['channel'], topic: string, ageBand: string, n: number): TrueCount => ({ channel, topic, ageBand, outcome: 'conversation', count: n });

function topic(report: AnnualReport, name: string): string {
  return figureText(report.topics.find((entry) => entry.name === name)?.total ?? null);
}

describe('the annual report\'s numbers', () => {
  it('adds up the published margins over the periods: total, per topic, per channel, per age band', () => {
    if (!w1 || !w2) throw new Error('no weeks');
    const report = buildAnnualReport(
      periods(
        releasedMessage({ seq: 1, period: w1, counts: [count('phone', 'school', '12-14', 30), count('chat', 'school', '15-17', 20), count('phone', 'family', '12-14', 15)] }),
        releasedMessage({ seq: 2, period: w2, counts: [count('phone', 'school', '12-14', 12), count('mail', 'bullying', '8-11', 11)] }),
      ),
      2026,
      AMSTERDAM,
    );
    expect(report.total).toEqual({ count: 88, suppressed: 0, withheld: 0, complete: true });
    expect(report.topics.map((entry) => [entry.name, entry.total.count])).toEqual([
      ['school', 62],
      ['family', 15],
      ['bullying', 11],
      ['mental-health', 0],
      ['other', 0],
    ]);
    expect(report.channels.map((entry) => [entry.name, entry.total.count])).toEqual([
      ['phone', 57],
      ['chat', 20],
      ['mail', 11],
    ]);
    expect(report.ageBands.find((band) => band.name === '12-14')?.total.count).toBe(57);
    expect(report.channels[0]?.topics[0]).toEqual({ name: 'school', total: { count: 42, suppressed: 0, withheld: 0, complete: true } });
    expect(report.months[2]).toMatchObject({ month: '2026-03', periods: 2, withheld: 0, total: { count: 88, complete: true } });
    expect(report.months[3]).toMatchObject({ month: '2026-04', periods: 0, total: null, topics: [] });
    expect(report.coverage).toMatchObject({ periods: 2, withheld: 0, lengths: ['week'], seqs: [1, 2], from: '2026-03-02T00:00:00+01:00', to: '2026-03-16T00:00:00+01:00' });
  });

  it('leaves a suppressed count out and shows the sum as a lower bound, or as suppressed when nothing else is known', () => {
    if (!w1 || !w2) throw new Error('no weeks');
    const report = buildAnnualReport(
      periods(
        // family: 4 in week 1 (suppressed), 25 in week 2; bullying: 3 in week 1 only.
        releasedMessage({ seq: 1, period: w1, counts: [count('phone', 'school', '12-14', 30), count('phone', 'family', '12-14', 4), count('chat', 'bullying', '12-14', 3)] }),
        releasedMessage({ seq: 2, period: w2, counts: [count('phone', 'family', '12-14', 25)] }),
      ),
      2026,
      AMSTERDAM,
    );
    const family = report.topics.find((entry) => entry.name === 'family')?.total;
    expect(family).toEqual({ count: 25, suppressed: 1, withheld: 0, complete: false });
    expect(topic(report, 'family')).toBe('≥ 25');
    expect(topic(report, 'bullying')).toBe('onderdrukt');
    expect(topic(report, 'school')).toBe('30');
    // The grand total of week 1 (37) was published: the total is exact although cells were not.
    expect(figureText(report.total)).toBe('62');
    expect(report.topics.map((entry) => entry.name).slice(0, 3)).toEqual(['school', 'family', 'bullying']);
  });

  it('treats a secondarily suppressed count of any size the same way: left out, never guessed', () => {
    if (!w1) throw new Error('no weeks');
    const report = buildAnnualReport(
      periods(releasedMessage({ seq: 1, period: w1, counts: [count('phone', 'school', '12-14', 40), count('chat', 'school', '12-14', 40)], alsoSuppress: [{ margin: 1, categories: { channel: 'chat' } }] })),
      2026,
      AMSTERDAM,
    );
    expect(report.channels.find((entry) => entry.name === 'chat')?.total).toEqual({ count: 0, suppressed: 1, withheld: 0, complete: false });
    expect(figureText(report.channels.find((entry) => entry.name === 'chat')?.total ?? null)).toBe('onderdrukt');
  });

  it('shows a withheld period as withheld: its month and every sum it belongs to become lower bounds', () => {
    if (!w1 || !w2 || !w3) throw new Error('no weeks');
    const report = buildAnnualReport(
      periods(releasedMessage({ seq: 1, period: w1, counts: [count('phone', 'school', '12-14', 30)] }), withheldMessage(2, w2), releasedMessage({ seq: 3, period: w3, counts: [count('phone', 'school', '12-14', 10)] })),
      2026,
      AMSTERDAM,
    );
    expect(report.coverage).toMatchObject({ periods: 3, withheld: 1 });
    expect(report.total).toEqual({ count: 40, suppressed: 0, withheld: 1, complete: false });
    expect(figureText(report.total)).toBe('≥ 40');
    expect(report.months[2]).toMatchObject({ periods: 3, withheld: 1 });
    expect(report.ageBands.find((band) => band.name === '12-14')?.total).toEqual({ count: 40, suppressed: 0, withheld: 1, complete: false });
    expect(topic(report, 'family')).toBe('achtergehouden');
  });

  it('says noise was applied, with the year\'s budget', () => {
    if (!w1) throw new Error('no weeks');
    const noise = { mechanism: 'discrete-laplace' as const, epsilon: 0.5, sensitivity: 3, budget: { year: 2026, spent: 4.5, total: 12 } };
    const report = buildAnnualReport(periods(releasedMessage({ seq: 1, period: w1, counts: [count('phone', 'school', '12-14', 30)], noise })), 2026, AMSTERDAM);
    expect(report.disclosure.noise).toEqual({ periods: 1, epsilonMin: 0.5, epsilonMax: 0.5, budgetSpent: 4.5, budgetTotal: 12 });
    expect(report.disclosure.thresholds).toEqual([10]);
    expect(report.disclosure.contributionCaps).toEqual([3]);
  });

  it('counts a week spanning two months in the month of its Thursday, and in the year of its Thursday', () => {
    const week = (from: string): { start: number; end: number } => {
      const [period] = weeks(from, new Date(Date.parse(from) + 8 * 86_400_000).toISOString());
      if (!period) throw new Error('no week');
      return period;
    };
    const april = week('2026-04-27T00:00:00+02:00');
    expect(monthOfPeriod(april.start, april.end, AMSTERDAM)).toEqual({ year: 2026, month: 4 });
    const june = week('2026-06-29T00:00:00+02:00');
    expect(monthOfPeriod(june.start, june.end, AMSTERDAM)).toEqual({ year: 2026, month: 7 });
    const newYear = week('2025-12-29T00:00:00+01:00');
    expect(monthOfPeriod(newYear.start, newYear.end, AMSTERDAM)).toEqual({ year: 2026, month: 1 });
    const yearEnd = week('2026-12-28T00:00:00+01:00');
    expect(monthOfPeriod(yearEnd.start, yearEnd.end, AMSTERDAM)).toEqual({ year: 2026, month: 12 });

    const report = buildAnnualReport(readPublishedPeriods(yearOfWeeks(2026).map((message) => publishedRow(message.seq, message))), 2026, AMSTERDAM);
    expect(report.coverage.periods).toBe(53);
    expect(report.months.reduce((sum, month) => sum + month.periods, 0)).toBe(53);
    expect(report.months.map((month) => month.periods)).toEqual([5, 4, 4, 5, 4, 4, 5, 4, 4, 5, 4, 5]);
  });

  it('leaves out periods whose middle falls in another year', () => {
    const messages = yearOfWeeks(2026);
    const report = buildAnnualReport(readPublishedPeriods(messages.map((message) => publishedRow(message.seq, message))), 2025, AMSTERDAM);
    expect(report.coverage.periods).toBe(0);
    expect(report.total).toEqual({ count: 0, suppressed: 0, withheld: 0, complete: true });
  });
});

describe('reading published_stats', () => {
  it('refuses a payload that is not a valid helpline.stats/2 message, naming the row and not its content', () => {
    if (!w1) throw new Error('no weeks');
    const message = releasedMessage({ seq: 7, period: w1, counts: [count('phone', 'school', '12-14', 30)] });
    const broken = { ...publishedRow(7, message), payload: JSON.stringify({ ...message, cells: message.cells.map(() => 3) }) };
    const error = thrownBy(() => readPublishedPeriods([broken]));
    expect(error).toMatchObject({ code: 'HGW_STORE_INTEGRITY', message: 'published_stats #7: payload is not a valid helpline.stats/2 message' });
    expect(thrownBy(() => readPublishedPeriods([{ ...publishedRow(7, message), payload: '{' }]))).toMatchObject({ code: 'HGW_STORE_INTEGRITY' });
    expect(thrownBy(() => readPublishedPeriods([{ ...publishedRow(7, message), periodStart: 0 }]))).toMatchObject({ code: 'HGW_STORE_INTEGRITY' });
  });

  it('refuses overlapping periods, which would count registrations twice', () => {
    if (!w1) throw new Error('no weeks');
    const week = releasedMessage({ seq: 1, period: w1, counts: [] });
    const day = releasedMessage({ seq: 2, period: { start: w1.start + 86_400_000, end: w1.start + 2 * 86_400_000 }, length: 'day', counts: [] });
    expect(thrownBy(() => readPublishedPeriods([publishedRow(1, week), publishedRow(2, day)]))).toMatchObject({ code: 'HGW_STORE_INTEGRITY', message: 'published_stats #2: period overlaps published period #1' });
  });
});
