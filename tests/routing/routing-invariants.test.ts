import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ContactReference } from '../../src/contacts/contact-view.js';
import { isGatewayError } from '../../src/errors.js';
import { CallRouter, type RoutingStrategy } from '../../src/routing/index.js';
import { silentLogger } from '../../src/log/logger.js';
import { ManualScheduler } from '../../src/time/scheduler.js';
import { desk, reference, START } from './router-fixture.js';

const STATIONS = ['s1', 's2', 's3', 's4'];
const ROUTING = { ringTimeoutMs: 5000, maxRingMs: 12_000, wrapUpMs: 3000, announceIntervalMs: 5000, maxQueueLength: 3 };

type Command =
  | { readonly kind: 'offer' }
  | { readonly kind: 'answer' | 'decline' | 'busy' | 'unreachable'; readonly station: number; readonly contact: number; readonly ringingOnly: boolean }
  | { readonly kind: 'hang-up' | 'end'; readonly contact: number }
  | { readonly kind: 'pause' | 'resume' | 'end-wrap-up'; readonly station: number }
  | { readonly kind: 'register'; readonly station: number; readonly registered: boolean }
  | { readonly kind: 'advance'; readonly ms: number };

const index = fc.nat({ max: 20 });
const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'offer' as const }), weight: 4 },
  {
    arbitrary: fc.record({
      kind: fc.constantFrom('answer' as const, 'decline' as const, 'busy' as const, 'unreachable' as const),
      station: index,
      contact: index,
      ringingOnly: fc.boolean(),
    }),
    weight: 5,
  },
  { arbitrary: fc.record({ kind: fc.constantFrom('hang-up' as const, 'end' as const), contact: index }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constantFrom('pause' as const, 'resume' as const, 'end-wrap-up' as const), station: index }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('register' as const), station: index, registered: fc.boolean() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 15_000 }) }), weight: 4 },
);

/**
 * Drives a router with a command sequence and keeps a model built only from its events and the
 * answers of its inputs; every disagreement or broken invariant is collected (a listener that
 * throws would be swallowed by the emitter).
 */
function run(strategy: RoutingStrategy, keepQueueing: boolean, commands: readonly Command[]): string[] {
  const scheduler = new ManualScheduler(START);
  const router = new CallRouter({ clock: scheduler.clock, scheduler, logger: silentLogger(), routing: { ...ROUTING, strategy } });
  STATIONS.forEach((id) => router.addStation(desk(id)));
  const violations: string[] = [];
  const check = (holds: boolean, what: string): void => {
    if (!holds) violations.push(what);
  };

  const offered: ContactReference[] = [];
  const ringing = new Map<string, ContactReference>();
  const connected = new Map<ContactReference, string>();
  const queued = new Set<ContactReference>();
  const everConnected = new Set<ContactReference>();
  const abandoned = new Set<ContactReference>();
  const rejected = new Set<ContactReference>();
  const exhausted = new Set<ContactReference>();
  const isRinging = (contact: ContactReference): boolean => [...ringing.values()].includes(contact);

  router.on('ring', (station, contact) => {
    check(!ringing.has(station), `${station} rings for ${contact} while ringing for ${ringing.get(station)}`);
    check(!queued.has(contact), `${contact} rings while queued`);
    check(!connected.has(contact), `${contact} rings while connected`);
    ringing.set(station, contact);
  });
  router.on('stopRinging', (station, contact) => {
    check(ringing.get(station) === contact, `stopRinging ${station} ${contact} for a ring that was not on`);
    ringing.delete(station);
  });
  router.on('connected', (station, contact) => {
    check(!everConnected.has(contact), `${contact} connected twice`);
    check(![...connected.values()].includes(station), `${station} connected to two contacts`);
    connected.set(contact, station);
    everConnected.add(contact);
  });
  router.on('queued', (contact) => {
    check(!queued.has(contact), `${contact} queued twice`);
    check(!isRinging(contact), `${contact} queued while ringing`);
    queued.add(contact);
  });
  router.on('dequeued', (contact) => {
    check(queued.delete(contact), `${contact} dequeued but not queued`);
  });
  router.on('abandoned', (contact, from) => {
    if (from === 'queued') check(queued.delete(contact), `${contact} abandoned from a queue it was not in`);
    check(!isRinging(contact) && !queued.has(contact), `${contact} abandoned but still ringing or queued`);
    abandoned.add(contact);
  });
  router.on('overflowExhausted', (contact) => {
    check(!isRinging(contact) && !queued.has(contact), `${contact} exhausted but still ringing or queued`);
    exhausted.add(contact);
    if (keepQueueing) router.offer({ reference: contact, arrivedAt: START });
  });
  router.on('rejected', (contact) => {
    check(!isRinging(contact) && !queued.has(contact), `${contact} rejected but routed`);
    rejected.add(contact);
  });
  router.start();

  const station = (i: number): string => STATIONS[i % STATIONS.length] ?? 's1';
  const contact = (i: number): ContactReference => offered[i % Math.max(1, offered.length)] ?? reference('never-offered');

  for (const step of commands) {
    try {
      switch (step.kind) {
        case 'offer': {
          const next = reference(`c${offered.length}`);
          offered.push(next);
          router.offer({ reference: next, arrivedAt: scheduler.clock.now() });
          break;
        }
        case 'answer':
        case 'decline':
        case 'busy':
        case 'unreachable': {
          const ringingNow = [...ringing.entries()];
          const pick = step.ringingOnly ? ringingNow[step.station % Math.max(1, ringingNow.length)] : undefined;
          const [target, callee] = pick ?? [station(step.station), contact(step.contact)];
          const wasRinging = ringing.get(target) === callee;
          if (wasRinging) ringing.delete(target);
          const input = { answer: router.answered, decline: router.declined, busy: router.busy, unreachable: router.unreachable }[step.kind];
          check(input.call(router, target, callee) === wasRinging, `${step.kind} ${target} ${callee}: router and model disagree`);
          break;
        }
        case 'hang-up':
        case 'end': {
          const callee = contact(step.contact);
          const known = connected.has(callee) || queued.has(callee) || isRinging(callee);
          const wasConnected = connected.delete(callee);
          const answer = step.kind === 'end' ? router.ended(callee) : router.callerHungUp(callee);
          check(answer === (step.kind === 'end' ? wasConnected : known), `${step.kind} ${callee}: router and model disagree`);
          break;
        }
        case 'pause':
          router.pause(station(step.station));
          break;
        case 'resume':
          router.resume(station(step.station));
          break;
        case 'end-wrap-up':
          router.endWrapUp(station(step.station));
          break;
        case 'register':
          router.setRegistered(station(step.station), step.registered);
          break;
        case 'advance':
          scheduler.advance(step.ms);
          break;
      }
    } catch (error) {
      if (!isGatewayError(error, 'HGW_ROUTING_INVALID_STATE')) throw error;
    }
    compareWithSnapshot();
  }

  if (!keepQueueing) {
    scheduler.advance(ROUTING.wrapUpMs + 3 * ROUTING.maxRingMs);
    compareWithSnapshot();
    const states = router.snapshot().stations.map((view) => view.state);
    check(!states.includes('ringing') && !states.includes('wrap-up'), `unsettled after all timers ran: ${states.join(',')}`);
  }
  for (const callee of offered) {
    const settled = everConnected.has(callee) || abandoned.has(callee) || rejected.has(callee) || exhausted.has(callee);
    check(settled || queued.has(callee) || isRinging(callee), `${callee} was offered and then lost`);
  }
  router.stop();
  check(scheduler.pending === 0, `${scheduler.pending} timers left after stop`);
  return violations;

  function compareWithSnapshot(): void {
    const snapshot = router.snapshot();
    const ringingInSnapshot = snapshot.stations.filter((view) => view.state === 'ringing').map((view) => `${view.id}=${view.contact}`);
    check(
      JSON.stringify(ringingInSnapshot.sort()) === JSON.stringify([...ringing].map(([id, callee]) => `${id}=${callee}`).sort()),
      `ringing stations differ: ${ringingInSnapshot.join(',')}`,
    );
    const inQueue = snapshot.queue.map((entry) => entry.reference);
    check(inQueue.length === queued.size && inQueue.every((callee) => queued.has(callee)), 'queue differs from the model');
    check(inQueue.every((callee) => !isRinging(callee)), 'a contact is both queued and ringing');
    check(snapshot.queue.every((entry, position) => entry.position === position + 1), 'queue positions are not 1..n');
    for (const view of snapshot.stations.filter((candidate) => candidate.state === 'busy')) {
      check(view.contact !== null && connected.get(view.contact) === view.id, `busy ${view.id} is not connected in the model`);
    }
    check(snapshot.stations.filter((view) => view.state === 'busy').length === connected.size, 'connected contacts without a busy station');
  }
}

describe('routing invariants over random event sequences', () => {
  for (const strategy of ['longest-idle', 'ring-all'] as const) {
    it(`keeps rings, connections and the queue consistent under ${strategy}`, () => {
      fc.assert(
        fc.property(fc.boolean(), fc.array(command, { minLength: 1, maxLength: 80 }), (keepQueueing, commands) => {
          expect(run(strategy, keepQueueing, commands)).toEqual([]);
        }),
        { numRuns: 300 },
      );
    });
  }
});
