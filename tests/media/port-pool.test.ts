import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../src/errors.js';
import { DEFAULT_RTP_PORT_RANGE, RtpPortPool } from '../../src/media/port-pool.js';

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('RTP port pool', () => {
  it('hands out even RTP ports whose RTCP port (+1) is still inside the range', () => {
    const pool = new RtpPortPool({ first: 40001, last: 40010 });
    const ports = Array.from({ length: pool.capacity }, () => pool.allocate());
    expect(ports).toEqual([40002, 40004, 40006, 40008]);
    expect(ports.every((port) => port % 2 === 0 && port + 1 <= 40010)).toBe(true);
  });

  it('defaults to 40000–40999: 500 pairs', () => {
    expect(DEFAULT_RTP_PORT_RANGE).toEqual({ first: 40000, last: 40999 });
    expect(new RtpPortPool().capacity).toBe(500);
  });

  it('answers HGW_MEDIA_PORTS_EXHAUSTED when every pair is in use', () => {
    const pool = new RtpPortPool({ first: 40000, last: 40003 });
    pool.allocate();
    pool.allocate();
    expect(isGatewayError(thrownBy(() => pool.allocate()), 'HGW_MEDIA_PORTS_EXHAUSTED')).toBe(true);
  });

  it('reuses released ports, the most recently released last', () => {
    const pool = new RtpPortPool({ first: 40000, last: 40005 });
    const [a, b, c] = [pool.allocate(), pool.allocate(), pool.allocate()];
    pool.release(b);
    pool.release(a);
    expect(pool.allocate()).toBe(b);
    expect(pool.allocate()).toBe(a);
    expect(pool.isAllocated(c)).toBe(true);
    expect(pool.available).toBe(0);
  });

  it('ignores a second release of the same port (stop() twice)', () => {
    const pool = new RtpPortPool({ first: 40000, last: 40003 });
    const port = pool.allocate();
    pool.release(port);
    pool.release(port);
    expect(pool.available).toBe(2);
    expect(pool.allocated).toBe(0);
  });

  it('keeps working through many allocate/release cycles', () => {
    const pool = new RtpPortPool({ first: 40000, last: 40099 });
    const held: number[] = [];
    for (let round = 0; round < 5000; round++) {
      held.push(pool.allocate());
      if (held.length > 30) pool.release(held.shift() as number);
    }
    expect(pool.allocated).toBe(30);
    expect(new Set(held).size).toBe(30);
    expect(pool.available).toBe(pool.capacity - 30);
  });

  it('refuses a range without a usable pair or outside 1024–65535', () => {
    expect(() => new RtpPortPool({ first: 40001, last: 40002 })).toThrow(RangeError);
    expect(() => new RtpPortPool({ first: 80, last: 2000 })).toThrow(RangeError);
    expect(() => new RtpPortPool({ first: 50000, last: 40000 })).toThrow(RangeError);
  });
});
