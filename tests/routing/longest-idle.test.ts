import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../src/errors.js';
import { reference, routerFixture } from './router-fixture.js';

describe('longest-idle routing', () => {
  it('rings only the station that has been idle longest', () => {
    const { take, offer } = routerFixture(['s1', 's2', 's3']);
    offer('c1');
    expect(take()).toEqual(['ring s1 c1']);
  });

  it('measures idleness from the end of the last wrap-up, not from when the station was added', () => {
    const { router, scheduler, take, offer } = routerFixture(['s1', 's2'], { wrapUpMs: 10_000 });
    const first = offer('c1');
    router.answered('s1', first);
    scheduler.advance(60_000);
    router.ended(first);
    scheduler.advance(10_000);
    take();
    offer('c2');
    expect(take()).toEqual(['ring s2 c2']);
  });

  it('overflows to the next-longest idle station when the ring times out', () => {
    const { scheduler, take, offer } = routerFixture(['s1', 's2', 's3'], { ringTimeoutMs: 20_000 });
    offer('c1');
    take();
    scheduler.advance(19_999);
    expect(take()).toEqual([]);
    scheduler.advance(1);
    expect(take()).toEqual(['stopRinging s1 c1 timeout', 'ring s2 c1']);
  });

  it('overflows at once when the volunteer declines, without telling the declining phone to stop', () => {
    const { router, take, offer } = routerFixture(['s1', 's2']);
    const contact = offer('c1');
    take();
    expect(router.declined('s1', contact)).toBe(true);
    expect(take()).toEqual(['ring s2 c1']);
  });

  it('treats busy and unreachable desk phones like a decline', () => {
    const { router, take, offer } = routerFixture(['s1', 's2', 's3']);
    const contact = offer('c1');
    router.busy('s1', contact);
    router.unreachable('s2', contact);
    expect(take()).toEqual(['ring s1 c1', 'ring s2 c1', 'ring s3 c1']);
  });

  it('skips paused and unregistered stations', () => {
    const { router, take, offer } = routerFixture(['s1', 's2', 's3']);
    router.pause('s1');
    router.setRegistered('s2', false);
    offer('c1');
    expect(take()).toEqual(['ring s3 c1']);
  });

  it('does not ring a station that declined the same contact again in that round', () => {
    const { router, take, offer } = routerFixture(['s1', 's2']);
    const contact = offer('c1');
    router.declined('s1', contact);
    router.declined('s2', contact);
    expect(take()).toEqual(['ring s1 c1', 'ring s2 c1', 'queued c1 1 300000']);
    expect(router.contactPhase(contact)).toBe('waiting');
  });

  it('gives up after maxRingMs from the first ring and lets go of the contact', () => {
    const { router, scheduler, take, offer } = routerFixture(['s1'], { ringTimeoutMs: 20_000, maxRingMs: 30_000 });
    const contact = offer('c1');
    scheduler.advance(20_000);
    expect(take()).toEqual(['ring s1 c1', 'stopRinging s1 c1 timeout', 'queued c1 1 600000']);
    scheduler.advance(10_000);
    expect(take()).toEqual(['dequeued c1', 'overflowExhausted c1']);
    expect(router.contactPhase(contact)).toBeNull();
    expect(router.snapshot().queue).toEqual([]);
  });

  it('lets the adapter keep queueing after overflow by offering the contact again, which starts a new round', () => {
    const { router, scheduler, take, offer } = routerFixture(['s1'], { ringTimeoutMs: 20_000, maxRingMs: 20_000 });
    const contact = offer('c1');
    router.on('overflowExhausted', (exhausted) => router.offer({ reference: exhausted, arrivedAt: 0 }));
    scheduler.advance(20_000);
    expect(take()).toEqual(['ring s1 c1', 'stopRinging s1 c1 max-ring', 'overflowExhausted c1', 'ring s1 c1']);
    expect(router.contactPhase(contact)).toBe('ringing');
  });

  it('stops ringing at once and overflows when the ringing volunteer pauses or the phone unregisters', () => {
    const { router, take, offer } = routerFixture(['s1', 's2', 's3']);
    offer('c1');
    router.pause('s1');
    router.setRegistered('s2', false);
    expect(take()).toEqual(['ring s1 c1', 'stopRinging s1 c1 paused', 'ring s2 c1', 'stopRinging s2 c1 unregistered', 'ring s3 c1']);
    expect(router.snapshot().stations.map((station) => station.state)).toEqual(['paused', 'available', 'ringing']);
  });

  it('answers false to a late answer from a phone that was told to stop, so the adapter hangs that leg up', () => {
    const { router, scheduler, take, offer } = routerFixture(['s1', 's2']);
    const contact = offer('c1');
    scheduler.advance(20_000);
    take();
    expect(router.answered('s1', contact)).toBe(false);
    expect(router.answered('s2', contact)).toBe(true);
    expect(take()).toEqual(['connected s2 c1']);
    expect(router.declined('s2', contact)).toBe(false);
  });

  it('refuses unknown stations with HGW_ROUTING_UNKNOWN_STATION and does not echo the id', () => {
    const { router, offer } = routerFixture(['s1']);
    const contact = offer('c1');
    let caught: unknown;
    try {
      router.answered('0612345678', contact);
    } catch (error) {
      caught = error;
    }
    expect(isGatewayError(caught, 'HGW_ROUTING_UNKNOWN_STATION')).toBe(true);
    expect(String((caught as Error).message)).not.toContain('0612345678');
  });

  it('refuses a second offer of a contact that is being routed', () => {
    const { router, offer } = routerFixture(['s1']);
    offer('c1');
    expect(() => router.offer({ reference: reference('c1'), arrivedAt: 0 })).toThrow(
      expect.objectContaining({ code: 'HGW_ROUTING_INVALID_STATE' }),
    );
  });
});
