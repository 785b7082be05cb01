import { describe, expect, it } from 'vitest';
import { routerFixture } from './router-fixture.js';

function states(fixture: ReturnType<typeof routerFixture>): string[] {
  return fixture.router.snapshot().stations.map((station) => station.state);
}

describe('wrap-up', () => {
  it('keeps the station in wrap-up for wrapUpMs after the call, then makes it available', () => {
    const fixture = routerFixture(['s1'], { wrapUpMs: 30_000 });
    const contact = fixture.offer('c1');
    fixture.router.answered('s1', contact);
    expect(states(fixture)).toEqual(['busy']);
    expect(fixture.router.ended(contact)).toBe(true);
    expect(states(fixture)).toEqual(['wrap-up']);
    expect(fixture.router.snapshot().stations[0]?.contact).toBe('c1');
    fixture.scheduler.advance(29_999);
    expect(states(fixture)).toEqual(['wrap-up']);
    fixture.scheduler.advance(1);
    expect(states(fixture)).toEqual(['available']);
    expect(fixture.router.snapshot().stations[0]?.contact).toBeNull();
  });

  it('gives no call to a station in wrap-up, and offers the waiting contact when the wrap-up ends', () => {
    const fixture = routerFixture(['s1'], { wrapUpMs: 30_000 });
    const first = fixture.offer('c1');
    fixture.router.answered('s1', first);
    fixture.router.ended(first);
    fixture.take();
    fixture.offer('c2');
    expect(fixture.take()).toEqual(['queued c2 1 600000']);
    fixture.scheduler.advance(30_000);
    expect(fixture.take()).toEqual(['dequeued c2', 'ring s1 c2']);
  });

  it('lets the volunteer end the wrap-up early, and cancels the wrap-up timer', () => {
    const fixture = routerFixture(['s1'], { wrapUpMs: 30_000 });
    const contact = fixture.offer('c1');
    fixture.router.answered('s1', contact);
    fixture.router.ended(contact);
    fixture.scheduler.advance(5000);
    fixture.router.endWrapUp('s1');
    expect(states(fixture)).toEqual(['available']);
    expect(fixture.scheduler.pending).toBe(0);
  });

  it('refuses to end a wrap-up that is not running with HGW_ROUTING_INVALID_STATE', () => {
    const fixture = routerFixture(['s1']);
    expect(() => fixture.router.endWrapUp('s1')).toThrow(expect.objectContaining({ code: 'HGW_ROUTING_INVALID_STATE' }));
  });

  it('skips wrap-up entirely when wrapUpMs is 0', () => {
    const fixture = routerFixture(['s1'], { wrapUpMs: 0 });
    const contact = fixture.offer('c1');
    fixture.router.answered('s1', contact);
    fixture.router.ended(contact);
    expect(states(fixture)).toEqual(['available']);
  });

  it('pauses a busy station only after its wrap-up, and a resume before then takes the pause back', () => {
    const fixture = routerFixture(['s1', 's2'], { wrapUpMs: 10_000 });
    const first = fixture.offer('c1');
    fixture.router.answered('s1', first);
    fixture.router.pause('s1');
    expect(fixture.router.snapshot().stations[0]).toMatchObject({ state: 'busy', pausePending: true });
    fixture.router.ended(first);
    fixture.scheduler.advance(10_000);
    expect(fixture.router.snapshot().stations[0]).toMatchObject({ state: 'paused', pausePending: false });

    const second = fixture.offer('c2');
    fixture.router.answered('s2', second);
    fixture.router.pause('s2');
    fixture.router.resume('s2');
    fixture.router.ended(second);
    fixture.scheduler.advance(10_000);
    expect(states(fixture)).toEqual(['paused', 'available']);
  });

  it('treats the caller hanging up on a connected call as the end of the call', () => {
    const fixture = routerFixture(['s1'], { wrapUpMs: 10_000 });
    const contact = fixture.offer('c1');
    fixture.router.answered('s1', contact);
    expect(fixture.router.callerHungUp(contact)).toBe(true);
    expect(states(fixture)).toEqual(['wrap-up']);
    expect(fixture.router.ended(contact)).toBe(false);
  });
});
