import { inspect } from 'node:util';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { TypedEmitter } from '../../src/events/typed-emitter.js';
import { CallerIdFeed } from '../../src/line/caller-id-feed.js';
import { CallerIdParser, type ParserEvent } from '../../src/line/caller-id-parser.js';
import type { LineEvents, OfferedCall } from '../../src/line/line-interface.js';
import { BoundedLineSplitter } from '../../src/line/modem/bounded-line-splitter.js';
import { createLogger } from '../../src/log/logger.js';
import { ManualClock } from '../../src/time/clock.js';
import { ManualScheduler } from '../line/manual-scheduler.js';
import { budget, FuzzReport } from './fuzz-budget.js';
import { plantedIdentifier, plantedIn, plantedSightings } from './hostile-values.js';

/**
 * The caller-ID modem's byte stream (src/line/modem/bounded-line-splitter.ts, then
 * src/line/caller-id-feed.ts and src/line/caller-id-parser.ts). The parser's own property tests
 * (tests/line/caller-id-parser.test.ts) throw random bytes and caller-ID-shaped text at the pure
 * parser; here the whole modem path runs, with near-misses of the NMBR and DTMF frames, and every
 * line gets its documented outcome: a call, or a counted ignore; nothing thrown, nothing of the
 * number in a log line or in any rendering of an event.
 */

const report = new FuzzReport('modem-lines');
afterAll(() => report.write());

const START = Date.UTC(2026, 2, 21, 13, 0, 0);
const RING_SILENCE_MS = 8000;
const SPLITTER_MAX = 512;
const PARSER_MAX = 200;

const KEYS = ['NMBR', 'nmbr', 'Nmbr', 'DDN_NMBR', 'NMB', 'NMBRR', 'N MBR', 'DATE', 'TIME', 'NAME', 'MESG', 'RING', 'AT', 'OK'];
const SEPARATORS = [' = ', '=', ' =', '= ', '  =  ', ' : ', ':', '\t=\t', '', ' ', '==', '= ='];
/** NMBR values: planted numbers, P/O, DTMF frames and their near-misses, junk. */
const nmbrValue = fc.oneof(
  plantedIdentifier,
  fc.constantFrom('P', 'O', 'p', 'o', 'Private', 'OUT OF AREA', 'UNAVAILABLE', '', ' ', '+', '00', '0', '+31', '+32', '0031', '0032'),
  fc.stringMatching(/^[+0-9 ()\-.]{0,30}$/),
  fc.string({ maxLength: 30 }),
);
const DTMF_START = ['D', 'A', 'B', 'd', 'a', 'b', 'C', 'DD', ''];
const DTMF_END = ['C', '#', 'c', '', 'CC', '##', 'D', ' C'];
const dtmfFrame = fc
  .tuple(fc.constantFrom(...DTMF_START), fc.oneof(fc.stringMatching(/^[0-9]{0,25}$/), fc.constantFrom('0641729358', '00', '10', '01', '99', '1')), fc.constantFrom(...DTMF_END))
  .map(([start, digits, end]) => `${start}${digits}${end}`);
const nearMissLine = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom(...SEPARATORS), nmbrValue).map(([key, separator, value]) => `${key}${separator}${value}`) },
  { weight: 3, arbitrary: dtmfFrame },
  { weight: 2, arbitrary: fc.constantFrom('RING', 'ring', 'RING 1', 'RINGING', ' RING ', 'RING\u0000', 'OK', 'ERROR', 'NO CARRIER', 'CONNECT 9600', 'AT+VCID=1', 'ATZ') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('NMBR = ', 'D'), fc.integer({ min: PARSER_MAX - 10, max: SPLITTER_MAX + 50 })).map(([head, length]) => `${head}${'6'.repeat(length)}`) },
);
const LINE_ENDS = ['\r\n', '\n', '\r', '\n\r', '\r\r\n', ''];
/** Lines joined with mixed endings, cut into chunks at random places, with time passing between chunks. */
const modemStream = fc.record({
  lines: fc.array(fc.tuple(nearMissLine, fc.constantFrom(...LINE_ENDS)), { maxLength: 40 }),
  cuts: fc.array(fc.nat(), { maxLength: 10 }),
  gaps: fc.array(fc.integer({ min: 0, max: 20_000 }), { maxLength: 10 }),
});

function chunksOf(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const positions = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((left, right) => left - right);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const position of [...positions, bytes.length]) {
    chunks.push(bytes.subarray(from, position));
    from = position;
  }
  return chunks;
}

/** What one line must come to, by the parser's documented rules (docs/telephony.md). */
function expectDocumentedOutcome(line: string, events: readonly ParserEvent[]): string {
  const text = line.trim();
  if (text === '') {
    expect(events).toEqual([]);
    return 'blank';
  }
  const upper = text.toUpperCase();
  const ringing = text.length <= PARSER_MAX && !/[\x00-\x08\x0a-\x1f\x7f-\x9f\ufffd]/.test(text) && (upper === 'RING' || upper.startsWith('RING '));
  if (ringing) {
    expect(events.every((event) => event.type === 'call-offered')).toBe(true);
    expect(events.length).toBeLessThanOrEqual(1);
    return events.length === 1 ? 'ring, offered as unknown' : 'ring';
  }
  expect(events).toHaveLength(1);
  const [event] = events;
  if (event?.type === 'ignored') return `ignored: ${event.reason}`;
  expect(event?.type).toBe('call-offered');
  return `offered: ${event?.type === 'call-offered' ? event.call.caller.kind : ''}`;
}

describe('modem lines under fuzzing', () => {
  it('gives every line from the splitter its documented outcome: a call or a counted ignore, never a throw', () => {
    const target = report.target('parser: near-miss lines, mixed endings, random chunking');
    fc.assert(
      fc.property(modemStream, ({ lines, cuts, gaps }) => {
        target.run(() => {
          const clock = new ManualClock(START);
          let next = 0;
          const parser = new CallerIdParser({ country: 'NL', clock, ringSilenceMs: RING_SILENCE_MS, newCallId: () => `call-${++next}` });
          const splitter = new BoundedLineSplitter(SPLITTER_MAX);
          const bytes = Buffer.from(lines.map(([line, end]) => `${line}${end}`).join(''), 'latin1');
          for (const [index, chunk] of chunksOf(bytes, cuts).entries()) {
            for (const line of splitter.push(chunk)) {
              expect(line.length).toBeLessThanOrEqual(SPLITTER_MAX);
              parser.tick();
              const events = parser.accept(line);
              target.outcome(expectDocumentedOutcome(line, events));
              for (const rendering of [JSON.stringify(events), inspect(events, { depth: 10 })]) expect(plantedIn(rendering)).toBeUndefined();
            }
            clock.advance(gaps[index] ?? 0);
          }
          clock.advance(RING_SILENCE_MS);
          parser.tick();
          expect(parser.callActive).toBe(false);
        });
      }),
      budget(1),
    );
    target.finished();
  });

  it('runs the whole feed on random bytes and near-misses: counters add up, no log line carries the number', () => {
    const target = report.target('feed: random bytes and near-misses, counters and log lines');
    const allLogLines: string[] = [];
    const bytesOrLines = fc.oneof(
      fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 8 }).map((chunks) => chunks.map((chunk) => Buffer.from(chunk))),
      modemStream.map(({ lines, cuts }) => chunksOf(Buffer.from(lines.map(([line, end]) => `${line}${end}`).join(''), 'latin1'), cuts)),
    );
    fc.assert(
      fc.property(bytesOrLines, fc.array(fc.integer({ min: 0, max: 70_000 }), { maxLength: 8 }), (chunks, gaps) => {
        target.run(() => {
          const logLines: string[] = [];
          const logger = createLogger({ level: 'trace', destination: { write: (line: string) => void logLines.push(line) } });
          const clock = new ManualClock(START);
          const scheduler = new ManualScheduler(clock);
          const emitter = new TypedEmitter<LineEvents>(logger);
          const offered: OfferedCall[] = [];
          const ended: string[] = [];
          emitter.on('call-offered', (call) => offered.push(call));
          emitter.on('call-ended', (lineCallId) => ended.push(lineCallId));
          let next = 0;
          const feed = new CallerIdFeed({ country: 'NL', clock, ringSilenceMs: RING_SILENCE_MS, newCallId: () => `modem-${++next}`, emitter, scheduler, logger });
          const splitter = new BoundedLineSplitter(SPLITTER_MAX);
          let lines = 0;
          for (const [index, chunk] of chunks.entries()) {
            for (const line of splitter.push(chunk)) {
              lines += 1;
              feed.accept(line);
            }
            scheduler.advance(gaps[index] ?? 0);
          }
          scheduler.advance(RING_SILENCE_MS + 1000);
          feed.stop();
          const counters = feed.counters();
          expect(counters.calls).toBe(offered.length);
          expect(counters.callsEnded).toBe(ended.length);
          expect(counters.callsEnded).toBe(counters.calls);
          expect(counters.junkLines + counters.garbledLines + counters.modemResponses + counters.laterCallerIds).toBeLessThanOrEqual(lines);
          for (const line of logLines) expect(plantedIn(line), line).toBeUndefined();
          expect(plantedIn(inspect(offered, { depth: 10 }) + JSON.stringify(offered))).toBeUndefined();
          allLogLines.push(...logLines);
          target.outcome(offered.length > 0 ? 'calls offered' : 'no call');
        });
      }),
      budget(2),
    );
    expect(plantedSightings('modem feed log', allLogLines)).toEqual([]);
    target.finished();
  });

  it('hands on the same lines whatever the chunking, none longer than its maximum', () => {
    const target = report.target('splitter: chunking independence');
    fc.assert(
      fc.property(modemStream, fc.integer({ min: 8, max: 600 }), ({ lines, cuts }, max) => {
        target.run(() => {
          const bytes = Buffer.from(lines.map(([line, end]) => `${line}${end}`).join(''), 'latin1');
          const whole = new BoundedLineSplitter(max).push(bytes);
          const splitter = new BoundedLineSplitter(max);
          const pieces = chunksOf(bytes, cuts).flatMap((chunk) => splitter.push(chunk));
          expect(pieces).toEqual(whole);
          expect(whole.every((line) => line.length > 0 && line.length <= max)).toBe(true);
          target.outcome('same lines');
        });
      }),
      budget(1),
    );
    target.finished();
  });

  it('never holds more than its maximum, whatever arrives without a line end', () => {
    const target = report.target('splitter: endless lines');
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 2000 }).map((bytes) => Buffer.from(bytes.map((byte) => (byte === 10 || byte === 13 ? 65 : byte)))), { maxLength: 20 }), fc.integer({ min: 1, max: 1024 }), (chunks, max) => {
        target.run(() => {
          const splitter = new BoundedLineSplitter(max);
          let total = 0;
          let out = 0;
          for (const chunk of chunks) {
            total += chunk.length;
            for (const line of splitter.push(chunk)) {
              expect(line.length).toBe(max);
              out += line.length;
            }
          }
          expect(total - out).toBeLessThanOrEqual(max);
          target.outcome('bounded');
        });
      }),
      budget(2),
    );
    target.finished();
  });
});

describe('regressions found by fuzzing the modem lines', () => {
  it('cuts a line that ends in the same chunk that took it past the maximum (it was handed on whole, 513 bytes)', () => {
    const splitter = new BoundedLineSplitter(SPLITTER_MAX);
    expect(splitter.push(Buffer.from(`NMBR = ${'6'.repeat(200)}`, 'latin1'))).toEqual([]);
    const lines = splitter.push(Buffer.from(`${'6'.repeat(306)}\r\n`, 'latin1'));
    expect(lines.map((line) => line.length)).toEqual([SPLITTER_MAX, 1]);
  });
});
