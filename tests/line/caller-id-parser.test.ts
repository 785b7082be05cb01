import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CallerIdParser, type ParserEvent } from '../../src/line/caller-id-parser.js';
import { parseTranscript } from '../../src/line/replay/transcript.js';
import { canonicalText } from '../../src/privacy/raw-identifier.js';
import { ManualClock } from '../../src/time/clock.js';
import { EventRecorder, loadModemFixtures, sequentialIds, type ModemFixture } from './modem-fixtures.js';

const START = Date.UTC(2025, 2, 21, 13, 0, 0);
const RING_SILENCE_MS = 8000;

function parserFor(clock: ManualClock, options: { ringsBeforeUnknown?: number; country?: 'NL' | 'BE' } = {}): CallerIdParser {
  return new CallerIdParser({
    country: options.country ?? 'NL',
    clock,
    ringsBeforeUnknown: options.ringsBeforeUnknown,
    ringSilenceMs: RING_SILENCE_MS,
    newCallId: sequentialIds(),
  });
}

/** The counter names the adapters use, from the parser's own events. */
function countParserEvents(events: readonly ParserEvent[]): Record<string, number> {
  const counters: Record<string, number> = {
    calls: 0, callsEnded: 0, abandonedCalls: 0, junkLines: 0, garbledLines: 0, modemResponses: 0, laterCallerIds: 0,
  };
  const names = { control: 'junkLines', garbled: 'garbledLines', 'modem-response': 'modemResponses', 'later-caller-id': 'laterCallerIds' } as const;
  for (const event of events) {
    if (event.type === 'call-offered') counters.calls = (counters.calls ?? 0) + 1;
    if (event.type === 'call-ended') counters.callsEnded = (counters.callsEnded ?? 0) + 1;
    if (event.type === 'call-abandoned') counters.abandonedCalls = (counters.abandonedCalls ?? 0) + 1;
    if (event.type === 'ignored' && event.reason !== 'caller-id-field') {
      const name = names[event.reason];
      counters[name] = (counters[name] ?? 0) + 1;
    }
  }
  return counters;
}

function playFixture(fixture: ModemFixture): { recorder: EventRecorder; events: ParserEvent[] } {
  const clock = new ManualClock(START);
  const parser = parserFor(clock, { ringsBeforeUnknown: fixture.ringsBeforeUnknown, country: fixture.country });
  const recorder = new EventRecorder(START);
  const events: ParserEvent[] = [];
  for (const step of parseTranscript(fixture.transcript)) {
    clock.advance(step.delayMs);
    if (step.line !== null) events.push(...parser.accept(step.line));
  }
  clock.advance(RING_SILENCE_MS);
  events.push(...parser.tick());
  recorder.parserEvents(events);
  return { recorder, events };
}

describe('CallerIdParser on the modem fixtures', () => {
  const fixtures = loadModemFixtures();

  it('has a fixture for every case in the issue', () => {
    expect(fixtures.map((f) => f.name)).toEqual(expect.arrayContaining([
      'vcid-spaced', 'vcid-nospace', 'withheld-p', 'unavailable-o', 'withheld-words', 'dtmf-d-frame', 'dtmf-a-frame',
      'dtmf-info-codes', 'callerid-before-first-ring', 'first-nmbr-wins', 'ring-silence', 'unknown-after-ring-n',
      'junk-and-garbled', 'back-to-back',
    ]));
  });

  it.each(fixtures.map((fixture) => [fixture.name, fixture] as const))('%s: gives the expected calls', (_name, fixture) => {
    const { recorder, events } = playFixture(fixture);
    expect(recorder.events).toEqual(fixture.events);
    if (fixture.counters) expect(countParserEvents(events)).toMatchObject(fixture.counters);
  });
});

describe('CallerIdParser', () => {
  it('turns the number into a RawPhoneNumber at once, so no rendering of the event shows it', () => {
    const clock = new ManualClock(START);
    const events = parserFor(clock).accept('NMBR = 0612345678');
    const offered = events.find((event) => event.type === 'call-offered');
    expect(offered?.type === 'call-offered' && offered.call.caller.kind === 'number' && canonicalText(offered.call.caller.number)).toBe('+31612345678');
    for (const rendering of [JSON.stringify(events), inspect(events, { depth: 10 }), String(events.map((e) => JSON.stringify(e)))]) {
      expect(rendering).not.toMatch(/612345678/);
    }
  });

  it('drops NAME and MESG without keeping them anywhere in its events', () => {
    const clock = new ManualClock(START);
    const parser = parserFor(clock);
    const events = [...parser.accept('NAME = JANSEN J'), ...parser.accept('MESG = 0301324A41'), ...parser.accept('NMBR = P')];
    expect(events.filter((e) => e.type === 'ignored')).toEqual([
      { type: 'ignored', reason: 'caller-id-field' },
      { type: 'ignored', reason: 'caller-id-field' },
    ]);
    expect(inspect(events, { depth: 10 })).not.toMatch(/JANSEN|4A41/);
  });

  it('ends a call only after the full ring silence, dated when the silence ran out', () => {
    const clock = new ManualClock(START);
    const parser = parserFor(clock);
    parser.accept('D0612345678C');
    clock.advance(RING_SILENCE_MS - 1);
    expect(parser.tick()).toEqual([]);
    expect(parser.callActive).toBe(true);
    clock.advance(5000);
    expect(parser.tick()).toEqual([{ type: 'call-ended', lineCallId: 'call-1', endedAt: START + RING_SILENCE_MS }]);
    expect(parser.callActive).toBe(false);
    expect(parser.tick()).toEqual([]);
  });

  it('recognizes modem responses and the echo of AT commands', () => {
    const parser = parserFor(new ManualClock(START));
    for (const line of ['OK', 'ERROR', 'NO CARRIER', 'BUSY', 'AT+VCID=1', 'AT#CID=1', 'ATZ', 'CONNECT 9600']) {
      expect(parser.accept(line)).toEqual([{ type: 'ignored', reason: 'modem-response' }]);
    }
  });

  it('ignores line endings and blank lines', () => {
    const parser = parserFor(new ManualClock(START));
    expect(parser.accept('\r\n')).toEqual([]);
    expect(parser.accept('   ')).toEqual([]);
    expect(parser.accept('RING\r')).toEqual([]);
    expect(parser.callActive).toBe(true);
  });

  it('refuses options that would never offer or never end a call', () => {
    const clock = new ManualClock(START);
    const base = { country: 'NL' as const, clock, newCallId: sequentialIds() };
    expect(() => new CallerIdParser({ ...base, ringsBeforeUnknown: 0 })).toThrow(TypeError);
    expect(() => new CallerIdParser({ ...base, ringSilenceMs: 0 })).toThrow(TypeError);
  });

  it('never throws on arbitrary bytes, and counts lines with control bytes as control', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }), fc.nat(20_000), (chunks, gap) => {
        const clock = new ManualClock(START);
        const parser = parserFor(clock);
        for (const chunk of chunks) {
          const text = Buffer.from(chunk).toString('latin1');
          for (const line of text.split(/\r|\n/)) {
            const events = parser.accept(line);
            const trimmed = line.trim();
            if (trimmed.length > 0 && trimmed.length <= 200 && /[\x00-\x08\x0a-\x1f\x7f-\x9f]/.test(trimmed)) {
              expect(events.at(-1)).toEqual({ type: 'ignored', reason: 'control' });
            }
          }
          clock.advance(gap);
          parser.tick();
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary text shaped like caller ID', () => {
    const keys = fc.constantFrom('NMBR', 'DATE', 'TIME', 'NAME', 'MESG', 'DDN_NMBR', 'RING', 'D', 'A', 'B', 'AT');
    fc.assert(
      fc.property(fc.array(fc.tuple(keys, fc.constantFrom('=', ' = ', '', ' '), fc.string({ maxLength: 40 })), { maxLength: 30 }), (lines) => {
        const clock = new ManualClock(START);
        const parser = parserFor(clock);
        for (const [key, separator, value] of lines) {
          parser.accept(`${key}${separator}${value}`);
          clock.advance(1000);
        }
        clock.advance(RING_SILENCE_MS);
        parser.tick();
        expect(parser.callActive).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
