import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../src/errors.js';
import { createLine, LINE_KINDS, type LineKind } from '../../src/line/create-line.js';
import { SerialModemLine } from '../../src/line/modem/serial-modem-line.js';
import { ReplayLine } from '../../src/line/replay/replay-line.js';
import { silentLogger } from '../../src/log/logger.js';
import { ManualClock } from '../../src/time/clock.js';

const common = { country: 'NL' as const, clock: new ManualClock(0), logger: silentLogger() };

describe('createLine', () => {
  it('builds the adapter for each kind', () => {
    expect(createLine('modem', { ...common, path: '/dev/caller-id-modem' })).toBeInstanceOf(SerialModemLine);
    expect(createLine('replay', { ...common, transcript: ['RING'] })).toBeInstanceOf(ReplayLine);
    expect(LINE_KINDS).toEqual(['modem', 'replay']);
  });

  it('refuses an unknown kind with HGW_LINE_UNKNOWN and lists the valid names', () => {
    let caught: unknown;
    try {
      createLine('sip-trunk' as LineKind, { ...common, transcript: [] });
    } catch (error) {
      caught = error;
    }
    expect(isGatewayError(caught, 'HGW_LINE_UNKNOWN')).toBe(true);
    expect((caught as Error).message).toBe('unknown line kind "sip-trunk": expected one of modem, replay');
  });
});
