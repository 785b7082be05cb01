import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LineState, OfferedCall } from '../../src/line/line-interface.js';
import { SerialModemLine } from '../../src/line/modem/serial-modem-line.js';
import { createLogger } from '../../src/log/logger.js';
import { canonicalText } from '../../src/privacy/raw-identifier.js';
import { ManualClock } from '../../src/time/clock.js';
import { ManualScheduler } from './manual-scheduler.js';
import { PtyModemFeeder, SocatPtyPair } from '../support/pty-modem.js';

describe('SerialModemLine on a real pty pair (socat)', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups.length = 0;
  });

  it('takes a call, reconnects after the pty vanishes, and takes another', { timeout: 60_000 }, async () => {
    const directory = mkdtempSync(join(tmpdir(), 'hgw-modem-'));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    let socat = await SocatPtyPair.start(directory);
    cleanups.push(() => socat.stop());
    let modem = new PtyModemFeeder(join(directory, 'feeder'));
    cleanups.push(() => modem.close());

    const clock = new ManualClock(Date.UTC(2025, 3, 1, 8, 0, 0));
    const scheduler = new ManualScheduler(clock);
    const logLines: string[] = [];
    const line = new SerialModemLine({
      path: join(directory, 'modem'),
      country: 'NL',
      clock,
      scheduler,
      logger: createLogger({ level: 'debug', destination: { write: (entry: string) => void logLines.push(entry) } }),
    });
    cleanups.push(() => line.stop());
    const states: LineState[] = [];
    const offered: OfferedCall[] = [];
    line.on('state', (state) => states.push(state));
    line.on('call-offered', (call) => offered.push(call));

    await line.start();
    expect(states.at(-1)).toBe('ready');
    expect(modem.commands).toEqual(['ATZ', 'AT+VCID=1']);

    modem.print('RING', 'DATE = 0401', 'TIME = 1000', 'NMBR = 0612345678');
    await vi.waitFor(() => expect(offered).toHaveLength(1), { timeout: 15_000 });
    const first = offered[0]?.caller;
    expect(first?.kind === 'number' && canonicalText(first.number)).toBe('+31612345678');
    scheduler.advance(9000);
    expect(line.counters()).toMatchObject({ calls: 1, callsEnded: 1 });

    modem.close();
    await socat.stop();
    await vi.waitFor(() => expect(states.at(-1)).toBe('disconnected'), { timeout: 15_000 });

    socat = await SocatPtyPair.start(directory);
    modem = new PtyModemFeeder(join(directory, 'feeder'));
    scheduler.advance(1000);
    await vi.waitFor(() => expect(states.at(-1)).toBe('ready'), { timeout: 15_000 });
    expect(line.counters().reconnects).toBe(1);

    modem.print('D0201234567C', 'RING');
    await vi.waitFor(() => expect(offered).toHaveLength(2), { timeout: 15_000 });
    const second = offered[1]?.caller;
    expect(second?.kind === 'number' && canonicalText(second.number)).toBe('+31201234567');

    const logged = logLines.join('\n');
    expect(logged).not.toMatch(/612345678|201234567/);
    expect(logLines.filter((entry) => entry.includes('could not raise DTR'))).toHaveLength(1);
  });
});
