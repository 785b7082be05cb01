import { describe, expect, it } from 'vitest';
import { routerFixture } from './router-fixture.js';

describe('ring-all routing', () => {
  it('rings every free station at once, longest idle first', () => {
    const { take, offer } = routerFixture(['s1', 's2', 's3'], { strategy: 'ring-all' });
    offer('c1');
    expect(take()).toEqual(['ring s1 c1', 'ring s2 c1', 'ring s3 c1']);
  });

  it('connects the first station to answer and tells the others to stop ringing', () => {
    const { router, take, offer } = routerFixture(['s1', 's2', 's3'], { strategy: 'ring-all' });
    const contact = offer('c1');
    take();
    expect(router.answered('s2', contact)).toBe(true);
    expect(take()).toEqual(['connected s2 c1', 'stopRinging s1 c1 answered-elsewhere', 'stopRinging s3 c1 answered-elsewhere']);
    expect(router.answered('s3', contact)).toBe(false);
    expect(router.snapshot().stations.map((station) => [station.id, station.state, station.contact])).toEqual([
      ['s1', 'available', null],
      ['s2', 'busy', 'c1'],
      ['s3', 'available', null],
    ]);
  });

  it('hands the stations freed by an answer to the next waiting contact', () => {
    const { router, take, offer } = routerFixture(['s1', 's2', 's3'], { strategy: 'ring-all' });
    const first = offer('c1');
    offer('c2');
    take();
    router.answered('s1', first);
    expect(take()).toEqual([
      'connected s1 c1',
      'stopRinging s2 c1 answered-elsewhere',
      'stopRinging s3 c1 answered-elsewhere',
      'dequeued c2',
      'ring s2 c2',
      'ring s3 c2',
    ]);
  });

  it('keeps ringing the rest when one station declines, and queues the contact when all have declined', () => {
    const { router, take, offer } = routerFixture(['s1', 's2'], { strategy: 'ring-all' });
    const contact = offer('c1');
    take();
    router.declined('s1', contact);
    expect(take()).toEqual([]);
    router.declined('s2', contact);
    expect(take()).toEqual(['queued c1 1 300000']);
  });

  it('stops every ringing phone when the ring timeout passes', () => {
    const { scheduler, take, offer } = routerFixture(['s1', 's2'], { strategy: 'ring-all', ringTimeoutMs: 15_000 });
    offer('c1');
    take();
    scheduler.advance(15_000);
    expect(take()).toEqual(['stopRinging s1 c1 timeout', 'stopRinging s2 c1 timeout', 'queued c1 1 300000']);
  });

  it('lets a station that frees up join a contact that is still ringing', () => {
    const { router, scheduler, take, offer } = routerFixture(['s1', 's2'], { strategy: 'ring-all', wrapUpMs: 5000 });
    const first = offer('c1');
    router.answered('s1', first);
    offer('c2');
    router.ended(first);
    take();
    scheduler.advance(5000);
    expect(take()).toEqual(['ring s1 c2']);
  });
});
