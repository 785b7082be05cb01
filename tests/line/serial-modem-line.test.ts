import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LineState, OfferedCall } from '../../src/line/line-interface.js';
import { SerialModemLine, type SerialModemLineOptions } from '../../src/line/modem/serial-modem-line.js';
import { createLogger, silentLogger } from '../../src/log/logger.js';
import { canonicalText } from '../../src/privacy/raw-identifier.js';
import { ManualClock } from '../../src/time/clock.js';
import { FakeModem, MockBinding } from './fake-modem.js';
import { ManualScheduler } from './manual-scheduler.js';
import { sequentialIds } from './modem-fixtures.js';

const START = Date.UTC(2025, 0, 6, 10, 0, 0);
const PATH = '/dev/fake-caller-id-modem';

function memoryLogger() {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(line) } });
  return { logger, lines };
}

function setUp(options: Partial<SerialModemLineOptions> = {}) {
  const clock = new ManualClock(START);
  const scheduler = new ManualScheduler(clock);
  const modem = new FakeModem(PATH);
  const line = new SerialModemLine({
    path: PATH,
    binding: modem.binding,
    country: 'NL',
    clock,
    logger: silentLogger(),
    scheduler,
    newCallId: sequentialIds('modem'),
    ...options,
  });
  const states: Array<[LineState, string]> = [];
  const offered: OfferedCall[] = [];
  const ended: Array<[string, number]> = [];
  line.on('state', (state, reason) => states.push([state, reason]));
  line.on('call-offered', (call) => offered.push(call));
  line.on('call-ended', (id, at) => ended.push([id, at]));
  return { clock, scheduler, modem, line, states, offered, ended };
}

const lastState = (states: Array<[LineState, string]>): LineState | undefined => states.at(-1)?.[0];

afterEach(() => {
  MockBinding.reset();
});

describe('SerialModemLine on a mock serial port', () => {
  it('runs ATZ, then falls back to AT#CID=1 when AT+VCID=1 answers ERROR', async () => {
    const { modem, line, states } = setUp();
    modem.answers.set('AT+VCID=1', 'ERROR');
    await line.start();
    expect(modem.commands).toEqual(['ATZ', 'AT+VCID=1', 'AT#CID=1']);
    expect(line.counters().callerIdCommand).toBe(1);
    expect(states.at(-1)).toEqual(['ready', 'caller ID enabled']);
    await line.stop();
  });

  it('tries the next caller-ID command when one never answers', async () => {
    const { modem, line, scheduler, states } = setUp({ commandTimeoutMs: 2000, callerIdCommands: ['AT+VCID=1', 'AT#CID=1', 'AT#CC1'] });
    modem.answers.set('AT+VCID=1', 'silent');
    modem.answers.set('AT#CID=1', 'ERROR');
    const started = line.start();
    await vi.waitFor(() => expect(modem.commands).toContain('AT+VCID=1'));
    expect(lastState(states)).toBe('connecting');
    scheduler.advance(2000);
    await started;
    expect(modem.commands).toEqual(['ATZ', 'AT+VCID=1', 'AT#CID=1', 'AT#CC1']);
    expect(line.counters().callerIdCommand).toBe(2);
    await line.stop();
  });

  it('is still a line, with unknown callers, when no caller-ID command is accepted', async () => {
    const { modem, line, states, offered } = setUp({ ringsBeforeUnknown: 1 });
    modem.answers.set('AT+VCID=1', 'ERROR');
    modem.answers.set('AT#CID=1', 'ERROR');
    await line.start();
    expect(states.at(-1)).toEqual(['ready', 'caller ID not available']);
    expect(line.counters().callerIdCommand).toBe(-1);
    modem.print('RING');
    await vi.waitFor(() => expect(offered).toHaveLength(1));
    expect(offered[0]?.caller).toEqual({ kind: 'unknown' });
    await line.stop();
  });

  it('offers a call from the lines the modem prints and ends it after the ring silence', async () => {
    const { modem, line, scheduler, offered, ended } = setUp();
    await line.start();
    modem.print('RING', 'DATE = 0321', 'TIME = 1405', 'NMBR = 0612345678', 'NAME = JANSEN J');
    await vi.waitFor(() => expect(offered).toHaveLength(1));
    const call = offered[0];
    expect(call?.caller.kind === 'number' && canonicalText(call.caller.number)).toBe('+31612345678');
    expect(call?.offeredAt).toBe(START);
    scheduler.advance(7000);
    expect(ended).toEqual([]);
    scheduler.advance(2000);
    expect(ended).toEqual([['modem-1', START + 8000]]);
    expect(line.counters()).toMatchObject({ calls: 1, callsEnded: 1 });
    await line.stop();
  });

  it('reads lines split across reads and ended by a bare CR, as modems send them', async () => {
    const { modem, line, offered } = setUp();
    await line.start();
    modem.printBytes(Buffer.from('\r\nRI'));
    modem.printBytes(Buffer.from('NG\r\n\r\nNMBR=020'));
    modem.printBytes(Buffer.from('1234567\r\n'));
    await vi.waitFor(() => expect(offered).toHaveLength(1));
    expect(offered[0]?.caller.kind === 'number' && canonicalText(offered[0].caller.number)).toBe('+31201234567');
    await line.stop();
  });

  it('reopens the port with a doubling backoff after it vanishes, and takes calls again', async () => {
    const { modem, line, scheduler, states, offered } = setUp();
    await line.start();
    modem.vanish();
    await vi.waitFor(() => expect(lastState(states)).toBe('disconnected'));
    expect(states.at(-1)?.[1]).toBe('port closed');
    scheduler.advance(999);
    expect(modem.opens).toBe(1);
    scheduler.advance(1);
    await vi.waitFor(() => expect(line.counters().openFailures).toBe(1));
    expect(states.at(-1)).toEqual(['disconnected', 'port open failed']);
    modem.replug();
    scheduler.advance(1999);
    expect(lastState(states)).toBe('disconnected');
    scheduler.advance(1);
    await vi.waitFor(() => expect(lastState(states)).toBe('ready'));
    expect(line.counters()).toMatchObject({ reconnects: 1, openFailures: 1, callerIdCommand: 0 });
    expect(modem.commands).toEqual(['ATZ', 'AT+VCID=1', 'ATZ', 'AT+VCID=1']);
    for (const [, reason] of states) expect(reason).not.toMatch(/\d/);

    modem.print('D0612345678C');
    await vi.waitFor(() => expect(offered).toHaveLength(1));

    modem.vanish();
    await vi.waitFor(() => expect(lastState(states)).toBe('disconnected'));
    modem.replug();
    scheduler.advance(999);
    expect(modem.opens).toBe(2);
    scheduler.advance(1);
    await vi.waitFor(() => expect(lastState(states)).toBe('ready'));
    expect(line.counters().reconnects).toBe(2);
    await line.stop();
  });

  it('tolerates set() failing as it does on a pty, and says so only once', async () => {
    const { logger, lines } = memoryLogger();
    const { modem, line, scheduler, states } = setUp({ logger });
    modem.failSet = true;
    await line.start();
    expect(lastState(states)).toBe('ready');
    modem.vanish();
    await vi.waitFor(() => expect(lastState(states)).toBe('disconnected'));
    modem.replug();
    scheduler.advance(1000);
    await vi.waitFor(() => expect(lastState(states)).toBe('ready'));
    expect(lines.filter((entry) => entry.includes('could not raise DTR'))).toHaveLength(1);
    await line.stop();
  });

  it('counts junk and garbled lines and never logs their content', async () => {
    const { logger, lines } = memoryLogger();
    const { modem, line, offered } = setUp({ logger });
    await line.start();
    modem.print('%@! 0612345678 ~~ xq7', 'NMBR: 06-1234-5678', 'NUMBER 3456');
    modem.printBytes(Buffer.from([0x4e, 0x4d, 0x42, 0x00, 0x30, 0x36, 0x31, 0x32, 0xff, 0x0d, 0x0a]));
    modem.print('RING', 'NMBR = 0612345678');
    await vi.waitFor(() => expect(offered).toHaveLength(1));
    expect(line.counters()).toMatchObject({ junkLines: 1, garbledLines: 3, calls: 1 });
    const logged = lines.map((entry) => {
      const { time: _time, ...rest } = JSON.parse(entry) as Record<string, unknown>;
      return JSON.stringify(rest);
    }).join('\n');
    expect(logged).toContain('unreadable modem line ignored');
    expect(logged).toContain('"component":"modem"');
    expect(logged).not.toMatch(/xq7|%@!|NUMBER|NMBR/);
    for (let i = 0; i + 4 <= '0612345678'.length; i += 1) expect(logged).not.toContain('0612345678'.slice(i, i + 4));
    expect(logged).not.toContain('3456');
    await line.stop();
  });

  it('stop() closes the port and clears its timers, also while waiting to reconnect', async () => {
    const first = setUp();
    await first.line.start();
    first.modem.print('RING');
    await vi.waitFor(() => expect(first.scheduler.pending).toBe(1));
    await first.line.stop();
    expect(first.modem.isOpen).toBe(false);
    expect(first.scheduler.pending).toBe(0);
    expect(first.states.at(-1)).toEqual(['disconnected', 'stopped']);
    await expect(first.line.start()).rejects.toThrow(TypeError);
    MockBinding.reset();

    const second = setUp();
    await second.line.start();
    second.modem.vanish();
    await vi.waitFor(() => expect(second.scheduler.pending).toBe(1));
    await second.line.stop();
    expect(second.scheduler.pending).toBe(0);
    second.modem.replug();
    second.scheduler.advance(60_000);
    expect(second.modem.opens).toBe(1);
  });

  it('closes a port that finishes opening after stop()', async () => {
    const { modem, line, states } = setUp();
    const started = line.start();
    await line.stop();
    await started;
    await vi.waitFor(() => expect(modem.opens).toBe(1));
    await vi.waitFor(() => expect(modem.isOpen).toBe(false));
    expect(modem.commands).toEqual([]);
    expect(states.map(([state]) => state)).toEqual(['connecting', 'disconnected']);
  });

  it('checks its options up front', () => {
    const base = { path: PATH, country: 'NL' as const, clock: new ManualClock(START), logger: silentLogger() };
    expect(() => new SerialModemLine({ ...base, path: '' })).toThrow(/path/);
    expect(() => new SerialModemLine({ ...base, callerIdCommands: [] })).toThrow(/callerIdCommands/);
  });
});
