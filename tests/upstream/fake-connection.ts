import { TypedEmitter } from '../../src/events/typed-emitter.js';
import type { PublishingConnection } from '../../src/upstream/outbox-publisher.js';
import { validateOutgoing, type OutgoingMessage } from '../../src/upstream/topics.js';

export interface PendingPublish {
  readonly topic: string;
  /** The message's seq; undefined for a kind without one (status, birth). */
  readonly seq: number | undefined;
  readonly message: OutgoingMessage;
  readonly ack: () => void;
  readonly fail: (error: Error) => void;
}

/** Stands in for UpstreamConnection: publishes are validated like the real ones and wait until the test acknowledges them. */
export class FakeConnection implements PublishingConnection {
  connected = false;
  readonly pending: PendingPublish[] = [];
  readonly #events = new TypedEmitter<{ connected: []; disconnected: [] }>();

  on<K extends 'connected' | 'disconnected'>(event: K, listener: () => void): () => void {
    return this.#events.on(event, listener);
  }

  publish(topic: string, payload: string): Promise<OutgoingMessage> {
    let message: OutgoingMessage;
    try {
      message = validateOutgoing(topic, payload);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ topic, seq: 'seq' in message ? message.seq : undefined, message, ack: () => resolve(message), fail: reject });
    });
  }

  connect(): void {
    this.connected = true;
    this.#events.emit('connected');
  }

  /** Like the real one: in-flight publishes fail, then 'disconnected'. */
  disconnect(): void {
    this.connected = false;
    for (const publish of this.pending.splice(0)) publish.fail(new Error('Message removed'));
    this.#events.emit('disconnected');
  }

  /** Acknowledges the oldest pending publish. */
  ackNext(): PendingPublish | undefined {
    const next = this.pending.shift();
    next?.ack();
    return next;
  }
}

export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
