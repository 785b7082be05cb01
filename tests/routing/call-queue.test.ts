import { describe, expect, it } from 'vitest';
import { reference, routerFixture } from './router-fixture.js';

const MINUTE = 60_000;

/** Two busy stations and nobody free: every new contact waits. */
function busyCentre(routing: Parameters<typeof routerFixture>[1] = {}) {
  const fixture = routerFixture(['s1', 's2'], { wrapUpMs: 0, ...routing });
  fixture.router.answered('s1', fixture.offer('busy-1'));
  fixture.router.answered('s2', fixture.offer('busy-2'));
  fixture.take();
  return fixture;
}

describe('the queue', () => {
  it('queues contacts first in, first out, each with its position and estimate', () => {
    const fixture = busyCentre();
    fixture.offer('c1');
    fixture.offer('c2');
    fixture.offer('c3');
    // No call handled yet: the default 10-minute handle time, over two staffed stations.
    expect(fixture.take()).toEqual(['queued c1 1 300000', 'queued c2 2 600000', 'queued c3 3 900000']);
    fixture.router.ended(reference('busy-1'));
    expect(fixture.take()).toEqual(['dequeued c1', 'ring s1 c1']);
    expect(fixture.router.snapshot().queue.map((entry) => [entry.reference, entry.position])).toEqual([
      ['c2', 1],
      ['c3', 2],
    ]);
  });

  it('estimates from the rolling average handle time (talk + wrap-up) of recent calls', () => {
    const fixture = routerFixture(['s1', 's2'], { wrapUpMs: 1 * MINUTE, handleTimeSamples: 2 });
    const talk = (name: string, minutes: number): void => {
      const contact = fixture.offer(name);
      const ringing = fixture.router.snapshot().stations.find((station) => station.contact === contact);
      expect(fixture.router.answered(ringing?.id ?? '', contact)).toBe(true);
      fixture.scheduler.advance(minutes * MINUTE);
      fixture.router.ended(contact);
      fixture.scheduler.advance(1 * MINUTE);
    };
    talk('a', 20);
    talk('b', 3);
    talk('c', 5);
    // The last two calls took 4 and 6 minutes with wrap-up: 5 minutes on average, the 20 forgotten.
    fixture.router.answered('s2', fixture.offer('d'));
    fixture.router.answered('s1', fixture.offer('e'));
    fixture.take();
    fixture.offer('w1');
    fixture.offer('w2');
    expect(fixture.take()).toEqual([`queued w1 1 ${2.5 * MINUTE}`, `queued w2 2 ${5 * MINUTE}`]);
  });

  it('counts only staffed stations (registered, not paused) in the estimate, and gives none without any', () => {
    const fixture = busyCentre();
    fixture.router.setRegistered('s2', false);
    fixture.offer('c1');
    fixture.router.pause('s1');
    fixture.offer('c2');
    expect(fixture.take()).toEqual(['queued c1 1 600000', 'queued c2 2 null']);
  });

  it('says when to announce again, with the current position, every announceIntervalMs', () => {
    const fixture = busyCentre({ announceIntervalMs: 30_000 });
    fixture.offer('c1');
    fixture.scheduler.advance(10_000);
    fixture.offer('c2');
    fixture.take();
    fixture.scheduler.advance(20_000);
    expect(fixture.take()).toEqual(['announce c1 1 300000']);
    fixture.router.callerHungUp(reference('c1'));
    fixture.take();
    fixture.scheduler.advance(10_000);
    expect(fixture.take()).toEqual(['announce c2 1 300000']);
    fixture.scheduler.advance(30_000);
    expect(fixture.take()).toEqual(['announce c2 1 300000']);
  });

  it('announces only on entry when announceIntervalMs is 0', () => {
    const fixture = busyCentre({ announceIntervalMs: 0 });
    fixture.offer('c1');
    fixture.scheduler.advance(60 * MINUTE);
    expect(fixture.take()).toEqual(['queued c1 1 300000']);
  });

  it('rejects a new contact beyond maxQueueLength and keeps nothing of it', () => {
    const fixture = busyCentre({ maxQueueLength: 2 });
    fixture.offer('c1');
    fixture.offer('c2');
    const third = fixture.offer('c3');
    expect(fixture.take()).toEqual(['queued c1 1 300000', 'queued c2 2 600000', 'rejected c3']);
    expect(fixture.router.contactPhase(third)).toBeNull();
    expect(fixture.router.snapshot().queue).toHaveLength(2);
  });

  it('still rings a free station when the queue is full of contacts that already tried it', () => {
    const fixture = routerFixture(['s1'], { maxQueueLength: 1 });
    const first = fixture.offer('c1');
    fixture.router.declined('s1', first);
    fixture.offer('c2');
    expect(fixture.take()).toEqual(['ring s1 c1', 'queued c1 1 600000', 'ring s1 c2']);
  });

  it('keeps the place of a re-offered contact by its arrival time', () => {
    const fixture = busyCentre();
    fixture.offer('c2', 2000);
    fixture.offer('c1', 1000);
    expect(fixture.router.snapshot().queue.map((entry) => entry.reference)).toEqual(['c1', 'c2']);
  });

  it('cleans up a contact abandoned while queued: out of the queue, no more announcements, positions move up', () => {
    const fixture = busyCentre({ announceIntervalMs: 30_000 });
    fixture.offer('c1');
    fixture.offer('c2');
    fixture.take();
    expect(fixture.router.callerHungUp(reference('c1'))).toBe(true);
    expect(fixture.take()).toEqual(['abandoned c1 queued']);
    expect(fixture.router.snapshot().queue.map((entry) => [entry.reference, entry.position])).toEqual([['c2', 1]]);
    fixture.scheduler.advance(30_000);
    expect(fixture.take()).toEqual(['announce c2 1 300000']);
    expect(fixture.router.callerHungUp(reference('c1'))).toBe(false);
  });

  it('cleans up a contact abandoned while ringing: every phone stops and no timer is left', () => {
    const fixture = routerFixture(['s1', 's2'], { strategy: 'ring-all' });
    const contact = fixture.offer('c1');
    fixture.take();
    fixture.router.callerHungUp(contact);
    expect(fixture.take()).toEqual(['stopRinging s1 c1 caller-hung-up', 'stopRinging s2 c1 caller-hung-up', 'abandoned c1 ringing']);
    expect(fixture.scheduler.pending).toBe(0);
    expect(fixture.router.snapshot().stations.map((station) => station.state)).toEqual(['available', 'available']);
  });

  it('shows screens references, states and waits only', () => {
    const fixture = busyCentre();
    fixture.scheduler.advance(5000);
    fixture.offer('c1', fixture.scheduler.clock.now() - 3000);
    const snapshot = fixture.router.snapshot();
    expect(snapshot.queue).toEqual([{ reference: 'c1', position: 1, waitingMs: 3000, estimatedWaitMs: 300000 }]);
    expect(Object.keys(snapshot.stations[0] ?? {}).sort()).toEqual(
      ['contact', 'displayName', 'group', 'id', 'idleMs', 'pausePending', 'registered', 'since', 'state'],
    );
    expect(JSON.stringify(snapshot)).not.toContain('sip:');
  });
});
