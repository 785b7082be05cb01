/**
 * Where an intake's time goes: the steps of `ContactDesk.offerCall` (and of the baseline's), run one
 * by one with the same components and SQL, each timed. It copies the desk's sequence rather than
 * calling it, so keep it in step with src/contacts/contact-desk.ts; the pipeline tables time the
 * real desk, this only splits the time up.
 */
import { randomContactReference } from '../../src/contacts/contact-reference.js';
import type { ContactReference, StationContactView } from '../../src/contacts/contact-view.js';
import { CallerIdParser } from '../../src/line/caller-id-parser.js';
import type { OfferedCall } from '../../src/line/line-interface.js';
import { canonicalText } from '../../src/privacy/raw-identifier.js';
import { toStationContactJson, type StationEventFrame } from '../../src/stations/station-json.js';
import { ManualClock, monthEpochLookup, windowEndingAt } from '../../src/time/index.js';
import type { PrivacyParts } from './pipelines.js';
import { LINKAGE_MONTHS, MEASUREMENT_START, SITE_TIME_ZONE } from './population.js';
import type { PlaintextDesk } from './plaintext-desk.js';
import { summarize, type LatencySummary } from './statistics.js';

export interface StepTiming {
  readonly step: string;
  readonly summary: LatencySummary;
}

/** One call at a time, so the harness can interleave both profiles the way it interleaves the pipelines. */
export interface StepProfiler {
  run(lines: readonly string[]): void;
  timings(skip: number): StepTiming[];
}

export const STEP = {
  parse: 'parse lines (normalize number)',
  monthEpoch: 'month epoch (memoized per quarter hour)',
  pseudonym: 'HMAC x1 (this month: the stored pseudonym)',
  earlierMonths: `HMAC x${LINKAGE_MONTHS - 1} (earlier live months)`,
  count: 'prior-contact count (privacy: in-memory index; plaintext: SQL)',
  seal: 'secretbox seal',
  insert: 'INSERT + COMMIT (autocommit)',
  frame: 'station view + JSON',
} as const;

/** Per-step nanoseconds; `mark(step)` closes the step that ran since the previous mark. */
class StepClock {
  readonly #samples = new Map<string, number[]>();
  #last = 0n;

  start(): void {
    this.#last = process.hrtime.bigint();
  }

  mark(step: string): void {
    const now = process.hrtime.bigint();
    let samples = this.#samples.get(step);
    if (!samples) {
      samples = [];
      this.#samples.set(step, samples);
    }
    samples.push(Number(now - this.#last));
    this.#last = now;
  }

  timings(skip: number): StepTiming[] {
    return [...this.#samples].map(([step, samples]) => ({ step, summary: summarize(samples.slice(skip)) }));
  }
}

/** Parses one call's lines into its offer, as the line adapter would; the ring silence then ends it. */
function offerOf(parser: CallerIdParser, clock: ManualClock, lines: readonly string[]): OfferedCall {
  let offered: OfferedCall | undefined;
  for (const line of lines) {
    for (const event of parser.accept(line)) if (event.type === 'call-offered') offered = event.call;
  }
  clock.advance(38_000);
  parser.tick();
  if (!offered) throw new Error('the lines offered no call');
  return offered;
}

function newParser(clock: ManualClock): CallerIdParser {
  let ids = 0;
  return new CallerIdParser({ country: 'NL', clock, newCallId: () => `profile-${++ids}` });
}

function frameOf(view: StationContactView): string {
  return JSON.stringify({ type: 'contact', contact: toStationContactJson(view) } satisfies StationEventFrame);
}

function viewOf(reference: ContactReference, priorContacts: number, offeredAt: number): StationContactView {
  return { reference, channel: 'phone', priorContacts, callerKnown: true, state: 'ringing', offeredAt };
}

export function privacyStepProfiler(parts: PrivacyParts): StepProfiler {
  const { contacts, pseudonymizer, vault } = parts;
  const clock = new ManualClock(MEASUREMENT_START + 3_600_000);
  const parser = newParser(clock);
  const epochAt = monthEpochLookup(SITE_TIME_ZONE);
  const steps = new StepClock();
  const run = (lines: readonly string[]): void => {
    steps.start();
    const call = offerOf(parser, clock, lines);
    steps.mark(STEP.parse);
    if (call.caller.kind !== 'number') throw new Error('profile calls must carry a number');
    const number = call.caller.number;
    const epoch = epochAt(call.offeredAt);
    steps.mark(STEP.monthEpoch);
    const pseudonym = pseudonymizer.pseudonymize(number, 'phone', epoch);
    steps.mark(STEP.pseudonym);
    const earlier = pseudonymizer.lookupLinked(number, 'phone', windowEndingAt(epoch, LINKAGE_MONTHS).slice(1));
    steps.mark(STEP.earlierMonths);
    const priorContacts = parts.priorContacts.count([{ epoch, pseudonym }, ...earlier]);
    steps.mark(STEP.count);
    const sealed = vault.seal(number, 'phone-number', epoch);
    steps.mark(STEP.seal);
    let reference = randomContactReference();
    const row = {
      channel: 'phone',
      presentation: 'number',
      linkEpoch: epoch,
      pseudonym,
      sealedEpoch: epoch,
      sealedIdentifier: sealed,
      priorContacts,
      openedAt: call.offeredAt,
      state: 'offered',
    } as const;
    while (contacts.insert({ ...row, reference }) === undefined) reference = randomContactReference();
    parts.priorContacts.add(epoch, pseudonym);
    steps.mark(STEP.insert);
    frameOf(viewOf(reference, priorContacts, call.offeredAt));
    steps.mark(STEP.frame);
  };
  return { run, timings: (skip) => steps.timings(skip) };
}

export function plaintextStepProfiler(desk: PlaintextDesk): StepProfiler {
  const clock = new ManualClock(MEASUREMENT_START + 3_600_000);
  const parser = newParser(clock);
  const steps = new StepClock();
  const run = (lines: readonly string[]): void => {
    steps.start();
    const call = offerOf(parser, clock, lines);
    steps.mark(STEP.parse);
    if (call.caller.kind !== 'number') throw new Error('profile calls must carry a number');
    const number = canonicalText(call.caller.number);
    const priorContacts = desk.countByNumber(number);
    steps.mark(STEP.count);
    const reference = desk.insertWithFreshReference('number', number, priorContacts, call.offeredAt);
    steps.mark(STEP.insert);
    frameOf(viewOf(reference, priorContacts, call.offeredAt));
    steps.mark(STEP.frame);
  };
  return { run, timings: (skip) => steps.timings(skip) };
}
