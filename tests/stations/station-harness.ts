import { WebSocket } from 'ws';
import { createLogger } from '../../src/log/index.js';
import { StationServer } from '../../src/stations/index.js';
import type { StationChatBackend, StationMailBackend } from '../../src/contacts/conversation-view.js';
import { FakeStationBackend } from './fake-station-backend.js';

export const DESK_ONE = { id: 'desk-1', token: 'desk-one-secret-token-7f3a9c' };
export const DESK_TWO = { id: 'desk-2', token: 'desk-two-secret-token-b81e4d' };

export interface Harness {
  readonly backend: FakeStationBackend;
  readonly server: StationServer;
  readonly url: string;
  readonly logLines: string[];
  stop(): Promise<void>;
}

export interface HarnessOptions {
  readonly authTimeoutMs?: number;
  readonly backend?: FakeStationBackend;
  readonly chat?: StationChatBackend;
  readonly mail?: StationMailBackend;
}

/** A StationServer on a free port of 127.0.0.1 over fake backends, with its log lines captured. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const backend = options.backend ?? new FakeStationBackend();
  const logLines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(line) } });
  const server = new StationServer({
    backend,
    stations: [DESK_ONE, DESK_TWO],
    host: '127.0.0.1',
    port: 0,
    logger,
    ...(options.authTimeoutMs === undefined ? {} : { authTimeoutMs: options.authTimeoutMs }),
    ...(options.chat === undefined ? {} : { chat: options.chat }),
    ...(options.mail === undefined ? {} : { mail: options.mail }),
  });
  const { url } = await server.start();
  return { backend, server, url, logLines, stop: () => server.stop() };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** A WebSocket client that queues frames so a test can await them one by one. */
export class SocketProbe {
  readonly socket: WebSocket;
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly #frames: unknown[] = [];
  readonly #waiters: ((frame: unknown) => void)[] = [];

  constructor(url: string, origin?: string) {
    this.socket = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v1/events`, origin === undefined ? {} : { origin });
    this.socket.on('message', (data) => {
      const frame: unknown = JSON.parse(data.toString());
      const waiter = this.#waiters.shift();
      if (waiter) waiter(frame);
      else this.#frames.push(frame);
    });
    this.closed = new Promise((resolve) => {
      this.socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    this.socket.on('error', () => undefined);
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
      this.socket.once('error', reject);
    });
  }

  send(value: unknown): void {
    this.socket.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  next(): Promise<unknown> {
    const frame = this.#frames.shift();
    if (frame !== undefined) return Promise.resolve(frame);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Frames that arrived and were not awaited yet. */
  unread(): unknown[] {
    return [...this.#frames];
  }

  close(): void {
    this.socket.close();
  }
}
