import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ledModesFor, LED_MODES, LED_NAMES, type BoxState, type LedModes } from '../../src/panel/index.js';

const running: BoxState = {
  lifecycle: 'running',
  maintenance: false,
  line: 'idle',
  upstream: { connected: true, waiting: 0 },
  intakeStopped: false,
  openSecurityIncidents: 0,
};

/** The table of docs/panel.md, row by row: a situation, the state it is, the four LEDs. */
const TABLE: readonly [string, Partial<BoxState>, LedModes][] = [
  ['running and healthy, line idle, upstream connected with nothing waiting', {}, { ready: 'on', line: 'on', upstream: 'on', fault: 'off' }],
  ['starting', { lifecycle: 'starting' }, { ready: 'blink-slow', line: 'on', upstream: 'on', fault: 'off' }],
  ['maintenance mode', { maintenance: true }, { ready: 'blink-slow', line: 'on', upstream: 'on', fault: 'off' }],
  ['stopping (the process is going away)', { lifecycle: 'stopping' }, { ready: 'off', line: 'on', upstream: 'on', fault: 'off' }],
  ['a call ringing or live', { line: 'busy' }, { ready: 'on', line: 'blink-slow', upstream: 'on', fault: 'off' }],
  ['line down (modem unplugged, SIP not listening)', { line: 'down' }, { ready: 'on', line: 'off', upstream: 'on', fault: 'off' }],
  ['connected, replaying the outbox', { upstream: { connected: true, waiting: 12 } }, { ready: 'on', line: 'on', upstream: 'blink-slow', fault: 'off' }],
  ['offline with messages waiting', { upstream: { connected: false, waiting: 3 } }, { ready: 'on', line: 'on', upstream: 'blink-fast', fault: 'off' }],
  ['offline, nothing waiting', { upstream: { connected: false, waiting: 0 } }, { ready: 'on', line: 'on', upstream: 'off', fault: 'off' }],
  ['an open security incident', { openSecurityIncidents: 1 }, { ready: 'on', line: 'on', upstream: 'on', fault: 'blink-fast' }],
  ['a fault that stops intake', { intakeStopped: true }, { ready: 'on', line: 'on', upstream: 'on', fault: 'on' }],
  ['a fault that stops intake and an open security incident (after a tamper with zeroize)', { intakeStopped: true, openSecurityIncidents: 1 }, { ready: 'on', line: 'on', upstream: 'on', fault: 'on' }],
  ['the clock is behind the last closed statistics period', { clockBehind: true }, { ready: 'on', line: 'on', upstream: 'on', fault: 'blink-slow' }],
  ['the clock behind and an open security incident', { clockBehind: true, openSecurityIncidents: 1 }, { ready: 'on', line: 'on', upstream: 'on', fault: 'blink-fast' }],
  ['the clock behind and a fault that stops intake', { clockBehind: true, intakeStopped: true }, { ready: 'on', line: 'on', upstream: 'on', fault: 'on' }],
  ['maintenance mode while starting', { lifecycle: 'starting', maintenance: true }, { ready: 'blink-slow', line: 'on', upstream: 'on', fault: 'off' }],
];

describe('the LED-state table', () => {
  it.each(TABLE)('%s', (_situation, change, expected) => {
    expect(ledModesFor({ ...running, ...change })).toEqual(expected);
  });

  it('is the table docs/panel.md documents: every LED and mode the box shows has its row there', () => {
    const doc = readFileSync(new URL('../../docs/panel.md', import.meta.url), 'utf8');
    const rows = new Set([...doc.matchAll(/^\| (ready|line|upstream|fault) \| `(off|on|blink-slow|blink-fast)` \|/gm)].map((match) => `${match[1]} ${match[2]}`));
    const shown = new Set(TABLE.flatMap(([, , modes]) => LED_NAMES.map((led) => `${led} ${modes[led]}`)));
    expect([...shown].filter((pair) => !rows.has(pair))).toEqual([]);
    // And nothing documented that the box never shows.
    expect([...rows].filter((pair) => !shown.has(pair))).toEqual([]);
    expect(LED_MODES).toEqual(['off', 'on', 'blink-slow', 'blink-fast']);
  });
});
