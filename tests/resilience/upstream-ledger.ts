import { randomBytes } from 'node:crypto';
import { connect, type MqttClient } from 'mqtt';

export interface SeqMessage {
  readonly kind: 'stats' | 'incident';
  readonly seq: number;
  readonly payload: string;
}

/** What the central office received, deduplicated on (site, seq) as its collector does. */
export interface UpstreamTally {
  /** Stats and incident messages received, repeats included. */
  readonly received: number;
  /** Repeats of a (site, seq) already received: a message resent after the box was killed before it saw the PUBACK. */
  readonly repeats: number;
  /** Repeats whose bytes differ from the first copy (must be 0: a seq is never reused). */
  readonly repeatsDiffering: number;
  readonly distinctSeqs: number;
  readonly highestSeq: number;
  /** Seqs between 1 and the highest that never arrived. */
  readonly missingSeqs: readonly number[];
}

/**
 * The central office: a subscriber on `helpline/v1/<site>/+` at QoS 1, keeping every stats and
 * incident message as the bytes arrived. With `persistentSession` it reconnects with the same
 * client id and `clean: false`, so a broker with persistence keeps what arrives while it is away.
 */
export class UpstreamLedger {
  readonly messages: SeqMessage[] = [];
  readonly #site: string;
  readonly #clientId: string;
  readonly #persistent: boolean;
  #client: MqttClient | undefined;

  constructor(site: string, options: { persistentSession?: boolean } = {}) {
    this.#site = site;
    this.#persistent = options.persistentSession ?? false;
    this.#clientId = `central-${randomBytes(6).toString('hex')}`;
  }

  async connect(url: string): Promise<void> {
    const client = connect(url, { reconnectPeriod: 0, clientId: this.#clientId, clean: !this.#persistent });
    client.on('error', () => undefined);
    client.on('message', (topic, payload) => {
      const kind = topic.split('/').at(-1);
      if (kind !== 'stats' && kind !== 'incident') return;
      const text = payload.toString('utf8');
      const parsed = JSON.parse(text) as { site?: unknown; seq?: unknown };
      if (parsed.site !== this.#site || typeof parsed.seq !== 'number') throw new Error(`unexpected ${kind} message on ${topic}`);
      this.messages.push({ kind, seq: parsed.seq, payload: text });
    });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync(`helpline/v1/${this.#site}/+`, { qos: 1 });
    this.#client = client;
  }

  /** The first copy of each seq. */
  bySeq(): Map<number, SeqMessage> {
    const first = new Map<number, SeqMessage>();
    for (const message of this.messages) if (!first.has(message.seq)) first.set(message.seq, message);
    return first;
  }

  tally(): UpstreamTally {
    const first = this.bySeq();
    const highestSeq = Math.max(0, ...first.keys());
    const missingSeqs: number[] = [];
    for (let seq = 1; seq <= highestSeq; seq++) if (!first.has(seq)) missingSeqs.push(seq);
    const repeats = this.messages.length - first.size;
    const repeatsDiffering = this.messages.filter((message) => first.get(message.seq)?.payload !== message.payload).length;
    return { received: this.messages.length, repeats, repeatsDiffering, distinctSeqs: first.size, highestSeq, missingSeqs };
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    await client?.endAsync(true);
  }
}
