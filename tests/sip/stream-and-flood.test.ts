import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/index.js';
import { ManualClock } from '../../src/time/clock.js';
import { InviteFloodGuard } from '../../src/sip/flood-guard.js';
import { SipStreamFramer } from '../../src/sip/stream-framer.js';
import { DEFAULT_FLOOD_LIMITS } from '../../src/sip/index.js';
import { inviteWithBody } from './sip-fixtures.js';

describe('TCP stream framing', () => {
  it('cuts messages by Content-Length across chunk boundaries and skips CRLF keep-alives', () => {
    const invite = inviteWithBody();
    const stream = Buffer.concat([Buffer.from('\r\n\r\n'), invite, Buffer.from('\r\n'), invite]);
    const framer = new SipStreamFramer(64 * 1024);
    const messages: Buffer[] = [];
    for (let offset = 0; offset < stream.length; offset += 7) messages.push(...framer.push(stream.subarray(offset, offset + 7)).messages);
    expect(messages).toEqual([invite, invite]);
  });

  it('reports a stream without Content-Length as unframed and one past the limit as oversized', () => {
    expect(new SipStreamFramer(64 * 1024).push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n\r\n')).fault).toBe('unframed');
    expect(new SipStreamFramer(1024).push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nl: 5000\r\n\r\n')).fault).toBe('oversized');
    const endless = new SipStreamFramer(1024);
    let fault: string | undefined;
    for (let index = 0; index < 100 && !fault; index++) fault = endless.push(Buffer.alloc(100, 0x41)).fault;
    expect(fault).toBe('oversized');
  });
});

describe('INVITE flood guard', () => {
  it('allows the burst, then answers one 503, then drops silently until Retry-After has passed', () => {
    const clock = new ManualClock(0);
    const guard = new InviteFloodGuard({ ...DEFAULT_FLOOD_LIMITS, burst: 3, invitesPerSecond: 1, retryAfterSeconds: 10 }, clock, silentLogger());
    expect([1, 2, 3, 4, 5, 6].map(() => guard.check('192.0.2.1'))).toEqual(['allow', 'allow', 'allow', 'reject', 'drop', 'drop']);
    expect(guard.check('192.0.2.2')).toBe('allow');
    clock.advance(10_000);
    expect(guard.check('192.0.2.1')).toBe('allow');
  });

  it('never holds back an exempt source (the allow-listed trunk), while others still are', () => {
    const clock = new ManualClock(0);
    const guard = new InviteFloodGuard({ ...DEFAULT_FLOOD_LIMITS, burst: 2, invitesPerSecond: 1 }, clock, silentLogger(), (address) => address === '198.51.100.7');
    expect(Array.from({ length: 50 }, () => guard.check('198.51.100.7')).every((decision) => decision === 'allow')).toBe(true);
    expect([1, 2, 3].map(() => guard.check('192.0.2.1'))).toEqual(['allow', 'allow', 'reject']);
  });

  it('logs a flood once per period with a count and no address', () => {
    const clock = new ManualClock(0);
    const lines: string[] = [];
    const logger = silentLogger();
    logger.warn = ((object: unknown, message: string) => { lines.push(JSON.stringify({ object, message })); }) as typeof logger.warn;
    const guard = new InviteFloodGuard({ ...DEFAULT_FLOOD_LIMITS, burst: 1, invitesPerSecond: 1, logPeriodMs: 60_000 }, clock, logger);
    for (let index = 0; index < 500; index++) guard.check('192.0.2.1');
    clock.advance(61_000);
    for (let index = 0; index < 500; index++) guard.check('192.0.2.1');
    expect(lines).toHaveLength(2);
    expect(lines.join('')).not.toContain('192.0.2.1');
  });

  it('tracks a bounded number of source addresses', () => {
    const guard = new InviteFloodGuard({ ...DEFAULT_FLOOD_LIMITS, maxTrackedSources: 10, burst: 1 }, new ManualClock(0), silentLogger());
    for (let index = 0; index < 1000; index++) guard.check(`10.0.${index >> 8}.${index & 255}`);
    expect(guard.check('10.0.3.231')).toBe('reject');
    expect(guard.check('10.0.0.0')).toBe('allow');
  });
});
