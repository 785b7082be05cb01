import type { ContactReference } from '../../src/contacts/contact-view.js';
import { CallRouter, type RoutingEvents, type RoutingOptionsInput, type StationDefinition } from '../../src/routing/index.js';
import { silentLogger } from '../../src/log/logger.js';
import { ManualScheduler } from '../../src/time/scheduler.js';

export const START = Date.UTC(2025, 2, 3, 9, 0, 0);

export function reference(name: string): ContactReference {
  return name as ContactReference;
}

export function desk(id: string, extra: Partial<StationDefinition> = {}): StationDefinition {
  return { id, displayName: `Desk ${id}`, deskTarget: `sip:${id}@desk.invalid`, group: 'day', ...extra };
}

/** Event names the adapter acts on; stationChanged is left out of the log to keep it readable. */
const LOGGED: ReadonlyArray<keyof RoutingEvents> = [
  'ring', 'stopRinging', 'connected', 'queued', 'announce', 'dequeued', 'abandoned', 'overflowExhausted', 'rejected',
];

export interface RouterFixture {
  readonly router: CallRouter;
  readonly scheduler: ManualScheduler;
  /** Every adapter-facing event as one line, e.g. `ring s1 c1`, `queued c2 1 300000`. */
  readonly log: string[];
  /** The log since the last call, then cleared. */
  take(): string[];
  offer(name: string, arrivedAt?: number): ContactReference;
}

/**
 * A started router on a ManualScheduler with stations added in the order given; `gapMs` apart, so
 * the first is the longest idle.
 */
export function routerFixture(stationIds: readonly string[], routing: RoutingOptionsInput = {}, gapMs = 1000): RouterFixture {
  const scheduler = new ManualScheduler(START);
  const router = new CallRouter({ clock: scheduler.clock, scheduler, logger: silentLogger(), routing });
  for (const id of stationIds) {
    router.addStation(desk(id));
    scheduler.advance(gapMs);
  }
  const log: string[] = [];
  for (const event of LOGGED) {
    router.on(event, (...args: unknown[]) => log.push([event, ...args.map(String)].join(' ')));
  }
  router.start();
  return {
    router,
    scheduler,
    log,
    take: () => log.splice(0, log.length),
    offer(name, arrivedAt = scheduler.clock.now()) {
      const contact = reference(name);
      router.offer({ reference: contact, arrivedAt });
      return contact;
    },
  };
}
