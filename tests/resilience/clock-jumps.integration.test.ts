import { afterEach, describe, expect, it } from 'vitest';
import { FAULT_SITE, type FaultBox } from './fault-box.js';
import { CALLERS, FaultRig, records } from './fault-rig.js';
import { bySize, recordFault } from './soak-size.js';
import { UpstreamLedger } from './upstream-ledger.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Fault suite, the clock (issue 8): the box's clock jumps forward (hours, days, across a DST change
 * and a year end, months past the retention windows) and back behind the last closed statistics
 * period. Forward: every period that became due closes once, in order, none skipped, and the next
 * retention sweep does what docs/retention.md says for the new date. Back: one HGW_CLOCK_BEHIND
 * line, the fault LED blinking slowly, no period closes until the clock has passed the last one
 * again (none twice, none skipped), and contacts go on being taken and stored.
 */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let rig: FaultRig | undefined;

afterEach(async () => {
  await rig?.cleanup();
  rig = undefined;
});

interface ClosedRow {
  readonly start: number;
  readonly end: number;
}

function closedPeriods(box: FaultBox): ClosedRow[] {
  return box.gateway.database.all<ClosedRow>('SELECT period_start AS start, period_end AS "end" FROM stats_periods ORDER BY period_start');
}

/** Periods that do not follow on from the one before (a skipped or overlapping period). */
function gaps(periods: readonly ClosedRow[]): ClosedRow[] {
  return periods.filter((period, index) => index > 0 && period.start !== periods[index - 1]?.end);
}

/** The stats messages the central office received, first copy of each seq, in seq order: their periods. */
function officePeriods(office: UpstreamLedger): ClosedRow[] {
  return [...office.bySeq().values()]
    .filter((message) => message.kind === 'stats')
    .sort((a, b) => a.seq - b.seq)
    .map((message) => {
      const { period } = JSON.parse(message.payload) as { period: { start: string; end: string } };
      return { start: Date.parse(period.start), end: Date.parse(period.end) };
    });
}

async function connectOffice(r: FaultRig): Promise<UpstreamLedger> {
  const office = new UpstreamLedger(FAULT_SITE);
  await office.connect(r.brokerUrl);
  r.later(() => office.close());
  return office;
}

/** Waits until the office has every message the box numbered, then checks it saw each period once, in order, without a gap. */
async function expectDeliveredInOrder(box: FaultBox, office: UpstreamLedger): Promise<void> {
  const lastSeq = Number(box.gateway.database.get<{ value: string }>("SELECT value FROM meta WHERE key = 'upstream.seq'")?.value);
  await waitFor(() => office.tally().distinctSeqs === lastSeq, 'every message at the central office', 30_000);
  expect(office.tally()).toMatchObject({ missingSeqs: [], repeatsDiffering: 0 });
  const delivered = officePeriods(office);
  expect(delivered).toEqual(closedPeriods(box));
  expect(gaps(delivered)).toEqual([]);
}

function lostOf(box: FaultBox, references: readonly string[]): number {
  return box.readBack(references).filter((row) => row?.state !== 'registered' || row.registered !== 1).length;
}

describe('fault: the clock jumps forward', () => {
  it('closes every period that fell due once each, in order, across a DST change (hour periods)', { timeout: bySize(60_000, 240_000) }, async () => {
    // Saturday 28 March 2026, 21:00 in Amsterdam; summer time starts at 02:00 that night.
    const r = (rig = await FaultRig.start({ start: Date.parse('2026-03-28T20:00:00Z') }));
    const office = await connectOffice(r);
    const box = await r.box({ period: 'hour' });
    const references = [await box.registeredCall(CALLERS[0]), await box.registeredCall(CALLERS[1])];
    const recordsBefore = records(box.counts());
    const jumps = [HOUR, 6 * HOUR, 3 * DAY, ...bySize([], [40 * DAY])];
    for (const [index, jump] of jumps.entries()) {
      const before = closedPeriods(box).length;
      const from = r.clock.now();
      r.clock.advance(jump);
      await box.closeDuePeriods();
      const periods = closedPeriods(box);
      // One period per hour that ended: the night summer time starts has no 02:00 but as many hours.
      const dueNow = Math.floor(r.clock.now() / HOUR) - Math.floor(from / HOUR);
      expect(periods.length - before, `jump ${index + 1}`).toBe(dueNow);
      expect(gaps(periods)).toEqual([]);
      expect(box.gateway.faults.codes()).toEqual([]);
      // A call after each jump is taken, stored and still linked to the caller's earlier calls.
      const { ringing } = await box.call(CALLERS[0], index);
      expect(ringing).toMatchObject({ recorded: true, callerKnown: true, priorContacts: index + 1 });
      expect(await box.wrapUp(ringing.reference)).toBe(200);
      references.push(ringing.reference);
    }
    await expectDeliveredInOrder(box, office);
    // The office has everything; the box's outbox empties as the PUBACKs come in.
    await waitFor(() => box.leds().upstream === 'on', 'the upstream LED on (outbox empty)');
    expect(box.leds().fault).toBe('off');
    const lost = lostOf(box, references);
    expect(lost).toBe(0);
    await recordFault('clock-forward-hours', {
      injected: jumps.length,
      recordsBefore,
      recordsAfter: records(box.counts()),
      recordsLost: lost + office.tally().missingSeqs.length,
      endState: 'every hour period that fell due closed once, in order, none skipped (across the start of summer time); fault LED off; contacts taken as before',
    });
  });

  it('closes each day across a year end once, and months later the retention sweep shreds what fell due, keeping every row (day periods)', { timeout: bySize(90_000, 300_000) }, async () => {
    // Wednesday 30 December 2026, 11:00 in Amsterdam.
    const r = (rig = await FaultRig.start({ start: Date.parse('2026-12-30T10:00:00Z') }));
    const office = await connectOffice(r);
    const box = await r.box({ period: 'day' });
    const references = [await box.registeredCall(CALLERS[2]), await box.registeredCall(CALLERS[3])];
    const recordsBefore = records(box.counts());

    // Into the new year: 30 and 31 December and 1 January close, each once.
    r.clock.set(Date.parse('2027-01-02T09:00:00Z'));
    await box.closeDuePeriods();
    expect(closedPeriods(box).map((period) => new Date(period.start).toISOString())).toEqual(['2026-12-29T23:00:00.000Z', '2026-12-30T23:00:00.000Z', '2026-12-31T23:00:00.000Z']);
    references.push(await box.registeredCall(CALLERS[2], 1));

    // Seven months on (the box was off, or NTP corrected a clock far behind): past the six-month
    // windows of the phone number and its linkage. Every day closes, the day summer time starts
    // has 23 hours, and nothing is shredded before the sweep finds it due.
    const sweepsBefore = box.gateway.retention.lastRun();
    r.clock.set(Date.parse('2027-08-03T09:00:00Z'));
    await box.closeDuePeriods();
    const periods = closedPeriods(box);
    expect(gaps(periods)).toEqual([]);
    expect(periods.at(-1)?.end).toBe(Date.parse('2027-08-02T22:00:00Z'));
    expect(periods.filter((period) => period.end - period.start === 23 * HOUR)).toHaveLength(1);
    const before = box.counts();
    const swept = await box.gateway.retention.sweep();
    expect(box.gateway.retention.lastRun()).not.toEqual(sweepsBefore);
    // December's and January's keys: the numbers sealed and the links made then (docs/retention.md).
    expect(swept.keysShredded).toEqual(expect.arrayContaining([{ family: 'link', epoch: '2026-12' }, { family: 'link', epoch: '2027-01' }]));
    expect(swept.keysShredded.some((key) => key.family === 'phone-number' && key.epoch === '2026-12')).toBe(true);
    // The rows stay (registrations and contacts are kept; their identifiers are gone).
    expect(box.counts()).toMatchObject({ contacts: before.contacts, registrations: before.registrations, closedPeriods: before.closedPeriods });
    // The same caller now is a new caller: the link to December is gone, as the policy says.
    const { ringing } = await box.call(CALLERS[2], 2);
    expect(ringing).toMatchObject({ recorded: true, priorContacts: 0 });
    expect(await box.wrapUp(ringing.reference)).toBe(200);
    references.push(ringing.reference);

    await expectDeliveredInOrder(box, office);
    const lost = lostOf(box, references);
    expect(lost).toBe(0);
    expect(box.leds().fault).toBe('off');
    await recordFault('clock-forward-year-end-and-months', {
      injected: 2,
      recordsBefore,
      recordsAfter: records(box.counts()),
      recordsLost: lost + office.tally().missingSeqs.length,
      endState: 'every day period closed once, in order, across the year end and the 23-hour DST day; the next retention sweep shreds the months that fell due, rows stay; fault LED off',
    });
  });
});

describe('fault: the clock jumps back behind the last closed period', () => {
  it('says HGW_CLOCK_BEHIND once with the fault LED blinking slowly, takes contacts, and closes nothing twice or skipped when the clock is right again', { timeout: bySize(60_000, 240_000) }, async () => {
    const r = (rig = await FaultRig.start());
    const office = await connectOffice(r);
    const box = await r.box({ period: 'hour' });
    const references = [await box.registeredCall(CALLERS[0])];
    r.clock.advance(3 * HOUR);
    await box.closeDuePeriods();
    expect(closedPeriods(box)).toHaveLength(3);
    const recordsBefore = records(box.counts());
    const steps = bySize([2 * HOUR, 2 * DAY], [2 * HOUR, 2 * DAY, 400 * DAY]);

    for (const [index, back] of steps.entries()) {
      const lastEnd = closedPeriods(box).at(-1)?.end ?? 0;
      const logFrom = box.logs.length;
      r.clock.advance(-back);
      expect(await box.closeDuePeriods()).toBe(0);
      expect(await box.closeDuePeriods()).toBe(0);
      const behindLines = (): number => box.codedLines(logFrom).filter((line) => line.code === 'HGW_CLOCK_BEHIND' && line.component === 'upstream-stats').length;
      expect(behindLines()).toBe(1);
      expect(box.gateway.faults.codes()).toEqual(['HGW_CLOCK_BEHIND']);
      await waitFor(() => box.leds().fault === 'blink-slow', 'the fault LED blinking slowly');
      expect(box.gateway.health()).toMatchObject({ intake: 'open', faults: ['HGW_CLOCK_BEHIND'] });

      // Contacts are taken and stored as before (dated in periods already published).
      const { ringing } = await box.call(CALLERS[1], index);
      expect(ringing.recorded).toBe(true);
      expect(await box.wrapUp(ringing.reference)).toBe(200);
      references.push(ringing.reference);
      // A restart while the clock is behind (systemd, a power cut) says it again, once.
      const restartFrom = box.logs.length;
      await box.restart();
      expect(box.codedLines(restartFrom).filter((line) => line.code === 'HGW_CLOCK_BEHIND' && line.component === 'upstream-stats')).toHaveLength(1);
      await waitFor(() => box.leds().fault === 'blink-slow', 'the fault LED blinking slowly after the restart');

      // Time runs on, still behind: nothing closes and nothing more is said.
      const closedBefore = closedPeriods(box).length;
      r.clock.set(lastEnd - HOUR / 2);
      expect(await box.closeDuePeriods()).toBe(0);
      expect(closedPeriods(box)).toHaveLength(closedBefore);

      // The clock passes the last closed period's end: the fault clears, the next periods close once each.
      r.clock.set(lastEnd + 2 * HOUR + HOUR / 2);
      await box.closeDuePeriods();
      expect(box.gateway.faults.codes()).toEqual([]);
      await waitFor(() => box.leds().fault === 'off', 'the fault LED off again');
      const periods = closedPeriods(box);
      expect(periods).toHaveLength(closedBefore + 2);
      expect(gaps(periods)).toEqual([]);
    }

    await expectDeliveredInOrder(box, office);
    const lost = lostOf(box, references);
    expect(lost).toBe(0);
    await recordFault('clock-back', {
      injected: steps.length,
      recordsBefore,
      recordsAfter: records(box.counts()),
      recordsLost: lost + office.tally().missingSeqs.length,
      endState: 'HGW_CLOCK_BEHIND once per step (and once per start while behind), fault LED blinking slowly, /health faults [HGW_CLOCK_BEHIND], intake open; no period closes until the clock passes the last closed end, then each once',
    });
  });
});
