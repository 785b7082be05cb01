import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { CallRouter } from '../../src/routing/index.js';
import { ManualScheduler } from '../../src/time/scheduler.js';
import { desk, reference, routerFixture, START } from './router-fixture.js';

const INVALID = expect.objectContaining({ code: 'HGW_ROUTING_INVALID_STATE' });

describe('the router lifecycle', () => {
  it('takes its stations at construction and offers nothing before start', () => {
    const scheduler = new ManualScheduler(START);
    const router = new CallRouter({ clock: scheduler.clock, scheduler, logger: silentLogger(), stations: [desk('s1'), desk('s2')] });
    expect(router.station('s2').deskTarget).toBe('sip:s2@desk.invalid');
    expect(() => router.offer({ reference: reference('c1'), arrivedAt: START })).toThrow(INVALID);
    const rings: string[] = [];
    router.on('ring', (station) => rings.push(station));
    router.start();
    router.offer({ reference: reference('c1'), arrivedAt: START });
    expect(rings).toEqual(['s1']);
  });

  it('cancels every timer on stop, forgets its contacts and cannot be started again', () => {
    const fixture = routerFixture(['s1'], { announceIntervalMs: 10_000 });
    const first = fixture.offer('c1');
    fixture.offer('c2');
    fixture.router.answered('s1', first);
    fixture.router.ended(first);
    expect(fixture.scheduler.pending).toBeGreaterThan(0);
    fixture.router.stop();
    expect(fixture.scheduler.pending).toBe(0);
    expect(fixture.router.contactPhase(reference('c2'))).toBeNull();
    expect(() => fixture.router.start()).toThrow(INVALID);
  });

  it('refuses to remove a ringing or busy station, and removes one in wrap-up with its timer', () => {
    const fixture = routerFixture(['s1', 's2'], { wrapUpMs: 30_000 });
    const contact = fixture.offer('c1');
    expect(() => fixture.router.removeStation('s1')).toThrow(INVALID);
    fixture.router.answered('s1', contact);
    expect(() => fixture.router.removeStation('s1')).toThrow(INVALID);
    fixture.router.ended(contact);
    fixture.router.removeStation('s1');
    expect(fixture.scheduler.pending).toBe(0);
    expect(fixture.router.snapshot().stations.map((station) => station.id)).toEqual(['s2']);
  });

  it('offers the head of the queue as soon as a station is added, resumed or registers', () => {
    const fixture = routerFixture([]);
    fixture.offer('c1');
    fixture.offer('c2');
    fixture.offer('c3');
    fixture.router.addStation(desk('s1', { paused: true }));
    fixture.router.addStation(desk('s2', { registered: false }));
    fixture.take();
    fixture.router.resume('s1');
    fixture.router.setRegistered('s2', true);
    fixture.router.addStation(desk('s3'));
    expect(fixture.take()).toEqual(['dequeued c1', 'ring s1 c1', 'dequeued c2', 'ring s2 c2', 'dequeued c3', 'ring s3 c3']);
  });

  it('lets a listener call straight back in: its input runs after the events already due', () => {
    const fixture = routerFixture(['s1', 's2']);
    fixture.router.on('ring', (station, contact) => {
      if (station === 's1') fixture.router.unreachable(station, contact);
    });
    fixture.offer('c1');
    expect(fixture.take()).toEqual(['ring s1 c1', 'ring s2 c1']);
    expect(fixture.router.snapshot().stations.map((station) => station.state)).toEqual(['available', 'ringing']);
  });
});
