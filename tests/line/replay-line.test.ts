import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { ReplayLine } from '../../src/line/replay/replay-line.js';
import { parseTranscript, transcriptForCalls } from '../../src/line/replay/transcript.js';
import { ManualClock } from '../../src/time/clock.js';
import { ManualScheduler } from './manual-scheduler.js';
import { EventRecorder, loadModemFixtures, sequentialIds } from './modem-fixtures.js';

const START = Date.UTC(2025, 5, 1, 9, 0, 0);

function replay(transcript: string | string[], options: { loop?: boolean; ringsBeforeUnknown?: number; country?: 'NL' | 'BE' } = {}) {
  const clock = new ManualClock(START);
  const scheduler = new ManualScheduler(clock);
  const line = new ReplayLine({
    transcript,
    country: options.country ?? 'NL',
    clock,
    logger: silentLogger(),
    scheduler,
    loop: options.loop,
    ringsBeforeUnknown: options.ringsBeforeUnknown,
    newCallId: sequentialIds('replay'),
  });
  const recorder = new EventRecorder(START);
  recorder.listen(line);
  return { clock, scheduler, line, recorder };
}

describe('parseTranscript', () => {
  it('reads pauses, delayed lines, byte lines and comments', () => {
    expect(parseTranscript(['# a comment', 'RING', 'WAIT 1500', '+500 NMBR = P', '', 'HEX 00ff41', '+20 HEX 0d', 'WAIT 3000'])).toEqual([
      { delayMs: 0, line: 'RING' },
      { delayMs: 2000, line: 'NMBR = P' },
      { delayMs: 0, line: '\u0000\u00ffA' },
      { delayMs: 20, line: '\r' },
      { delayMs: 3000, line: null },
    ]);
  });

  it('reads a whole fixture text with CRLF or LF line ends alike', () => {
    expect(parseTranscript('RING\r\n+100 RING\n')).toEqual([{ delayMs: 0, line: 'RING' }, { delayMs: 100, line: 'RING' }]);
  });
});

describe('ReplayLine', () => {
  it.each(loadModemFixtures().map((fixture) => [fixture.name, fixture] as const))(
    '%s: plays to the same calls as the parser fixture says',
    async (_name, fixture) => {
      const { scheduler, line, recorder } = replay(fixture.transcript, fixture);
      await line.start();
      scheduler.runAll();
      expect(recorder.events).toEqual(fixture.events);
      if (fixture.counters) expect(line.counters()).toMatchObject(fixture.counters);
      await line.stop();
    },
  );

  it('loops the transcript when asked, and stop() leaves no timer behind', async () => {
    const { scheduler, line, recorder } = replay(['D0612345678C', '+1000 RING', 'WAIT 20000'], { loop: true });
    const states: string[] = [];
    line.on('state', (state, reason) => states.push(`${state}:${reason}`));
    await line.start();
    scheduler.advance(3 * 21_000 + 500);
    expect(recorder.events.filter((e) => e.type === 'call-offered').map((e) => e.at)).toEqual([0, 21_000, 42_000, 63_000]);
    expect(line.counters()).toMatchObject({ calls: 4, callsEnded: 3, loops: 3 });
    await line.stop();
    expect(scheduler.pending).toBe(0);
    expect(states).toEqual(['ready:replaying transcript', 'disconnected:stopped']);
    await expect(line.start()).rejects.toThrow(TypeError);
  });

  it('refuses to loop a transcript without a pause (it would spin)', () => {
    expect(() => replay(['RING', 'NMBR = P'], { loop: true })).toThrow(TypeError);
  });

  it('plays the demo transcripts built by transcriptForCalls', async () => {
    const transcript = transcriptForCalls([
      { number: '0612345678', rings: 3, style: 'vcid' },
      { number: '0201234567', rings: 2, style: 'vcid-nospace' },
      { number: '+31612345678', rings: 2, style: 'dtmf' },
      { number: 'P', rings: 1, style: 'dtmf' },
      { number: 'O', rings: 2, style: 'vcid' },
      { number: 'P', rings: 2, style: 'vcid-nospace' },
    ]);
    const { scheduler, line, recorder } = replay(transcript);
    await line.start();
    scheduler.runAll();
    const offered = recorder.events.filter((e) => e.type === 'call-offered').map((e) => e.e164 ?? e.caller);
    expect(offered).toEqual(['+31612345678', '+31201234567', '+31612345678', 'withheld', 'unavailable', 'withheld']);
    expect(line.counters()).toMatchObject({ calls: 6, callsEnded: 6, junkLines: 0, garbledLines: 0 });
  });

  it('prints DTMF caller ID before the first ring and VCID after it', () => {
    expect(transcriptForCalls([{ number: '0612345678', rings: 2, style: 'dtmf' }])).toEqual([
      '+1000 D0612345678C', '+1000 RING', '+5000 RING', 'WAIT 10000',
    ]);
    expect(transcriptForCalls([{ number: 'O', rings: 2, style: 'vcid-nospace' }])).toEqual([
      '+1000 RING', '+500 DATE=0101', 'TIME=1200', 'NMBR=O', '+4500 RING', 'WAIT 10000',
    ]);
    expect(() => transcriptForCalls([{ number: 'Private', rings: 1, style: 'dtmf' }])).toThrow(TypeError);
  });
});
