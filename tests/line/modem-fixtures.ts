import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ParserEvent } from '../../src/line/caller-id-parser.js';
import type { LineEvents, OfferedCall } from '../../src/line/line-interface.js';
import type { SiteCountry } from '../../src/privacy/normalize.js';
import { canonicalText } from '../../src/privacy/raw-identifier.js';

/** One expected event, in a form a JSON fixture can hold: calls numbered in order of appearance. */
export interface ExpectedEvent {
  readonly type: 'call-offered' | 'call-ended';
  readonly call: number;
  readonly caller?: string;
  readonly e164?: string;
  /** Milliseconds after the start of the transcript. */
  readonly at: number;
}

export interface ModemFixture {
  readonly name: string;
  readonly about: string;
  readonly transcript: string;
  readonly country: SiteCountry;
  readonly ringsBeforeUnknown?: number;
  readonly events: readonly ExpectedEvent[];
  readonly counters?: Readonly<Record<string, number>>;
}

export const fixtureDirectory = fileURLToPath(new URL('../fixtures/modem/', import.meta.url));

export function loadModemFixtures(): ModemFixture[] {
  return readdirSync(fixtureDirectory)
    .filter((file) => file.endsWith('.txt'))
    .sort()
    .map((file) => {
      const name = file.slice(0, -'.txt'.length);
      const expected = JSON.parse(readFileSync(`${fixtureDirectory}${name}.json`, 'utf8')) as Omit<ModemFixture, 'name' | 'transcript'>;
      return { ...expected, name, transcript: readFileSync(`${fixtureDirectory}${file}`, 'utf8') };
    });
}

/** Turns offered/ended events into the fixture form; the number only as canonical text, in memory. */
export class EventRecorder {
  readonly events: ExpectedEvent[] = [];
  readonly offered: OfferedCall[] = [];
  readonly #callNumbers = new Map<string, number>();
  readonly #start: number;

  constructor(start: number) {
    this.#start = start;
  }

  offer(call: OfferedCall): void {
    this.offered.push(call);
    const caller = call.caller;
    this.events.push({
      type: 'call-offered',
      call: this.#numberOf(call.lineCallId),
      caller: caller.kind,
      ...(caller.kind === 'number' ? { e164: canonicalText(caller.number) } : {}),
      at: call.offeredAt - this.#start,
    });
  }

  end(lineCallId: string, endedAt: number): void {
    this.events.push({ type: 'call-ended', call: this.#numberOf(lineCallId), at: endedAt - this.#start });
  }

  parserEvents(events: readonly ParserEvent[]): void {
    for (const event of events) {
      if (event.type === 'call-offered') this.offer(event.call);
      if (event.type === 'call-ended') this.end(event.lineCallId, event.endedAt);
    }
  }

  listen(line: { on<K extends keyof LineEvents>(event: K, listener: (...args: LineEvents[K]) => void): () => void }): void {
    line.on('call-offered', (call) => this.offer(call));
    line.on('call-ended', (id, at) => this.end(id, at));
  }

  #numberOf(lineCallId: string): number {
    let number = this.#callNumbers.get(lineCallId);
    if (number === undefined) {
      number = this.#callNumbers.size + 1;
      this.#callNumbers.set(lineCallId, number);
    }
    return number;
  }
}

export function sequentialIds(prefix = 'call'): () => string {
  let next = 0;
  return () => `${prefix}-${(next += 1)}`;
}
