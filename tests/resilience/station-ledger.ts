import { WebSocket } from 'ws';
import type { StationContactJson } from '../../src/stations/station-json.js';

export interface WrapUpChoice {
  readonly ageBand: string;
  readonly topic: string;
  readonly outcome: string;
}

/** Everything a volunteer station was shown and had acknowledged, across every run of the box. */
export interface StationLedgerCounts {
  readonly referencesShown: number;
  readonly shownUnrecorded: number;
  readonly wrapUpsSent: number;
  readonly wrapUpsAcknowledged: number;
  readonly wrapUpsUnanswered: number;
}

interface Frame {
  readonly type: string;
  readonly contact?: StationContactJson;
  readonly contacts?: StationContactJson[];
}

/**
 * A volunteer station that outlives the box: each run of the box gets a fresh WebSocket
 * (`attach`), every contact frame and snapshot is recorded by reference, and every ended contact
 * is wrapped up over HTTP at once. A wrap-up answered 200 is acknowledged: the box said it was
 * stored. One whose answer was lost to a kill is sent again when the next run lists the contact.
 */
export class StationLedger {
  /** reference → whether it was recorded (false: shown while intake was stopped). */
  readonly shown = new Map<string, boolean>();
  readonly acknowledged = new Set<string>();
  readonly #token: string;
  readonly #choose: () => WrapUpChoice;
  readonly #inFlight = new Set<string>();
  #sent = 0;
  #unanswered = 0;

  constructor(token: string, choose: () => WrapUpChoice) {
    this.#token = token;
    this.#choose = choose;
  }

  counts(): StationLedgerCounts {
    return {
      referencesShown: this.shown.size,
      shownUnrecorded: [...this.shown.values()].filter((recorded) => !recorded).length,
      wrapUpsSent: this.#sent,
      wrapUpsAcknowledged: this.acknowledged.size,
      wrapUpsUnanswered: this.#unanswered,
    };
  }

  /** Connects to one run of the box; resolves once its snapshot arrived. `close` ends the socket. */
  async attach(baseUrl: string): Promise<{ close: () => void; snapshot: Promise<void> }> {
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/v1/events`);
    socket.on('error', () => undefined);
    let snapshotSeen: () => void = () => undefined;
    const snapshot = new Promise<void>((resolve) => (snapshotSeen = resolve));
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as Frame;
      if (frame.type === 'snapshot') {
        for (const contact of frame.contacts ?? []) this.#seen(baseUrl, contact);
        snapshotSeen();
      }
      if (frame.type === 'contact' && frame.contact) this.#seen(baseUrl, frame.contact);
    });
    socket.once('open', () => socket.send(JSON.stringify({ type: 'auth', token: this.#token })));
    return { close: () => socket.terminate(), snapshot };
  }

  #seen(baseUrl: string, contact: StationContactJson): void {
    const known = this.shown.get(contact.reference);
    this.shown.set(contact.reference, (known ?? true) && contact.recorded);
    if (contact.state === 'ended' && contact.recorded) void this.#wrapUp(baseUrl, contact.reference);
  }

  async #wrapUp(baseUrl: string, reference: string): Promise<void> {
    if (this.acknowledged.has(reference) || this.#inFlight.has(reference)) return;
    this.#inFlight.add(reference);
    this.#sent += 1;
    try {
      const response = await fetch(`${baseUrl}/api/v1/contacts/${encodeURIComponent(reference)}/wrap-up`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.#token}`, 'content-type': 'application/json' },
        body: JSON.stringify(this.#choose()),
      });
      await response.text();
      if (response.status === 200) this.acknowledged.add(reference);
    } catch {
      // The box was killed before it answered: the contact is listed again by the next run.
      this.#unanswered += 1;
    } finally {
      this.#inFlight.delete(reference);
    }
  }
}
