import type { WebSocket, RawData } from 'ws';
import type { ContactReference, StationContactView } from '../contacts/contact-view.js';
import type { ChatView, ConversationLineView, MailThreadView } from '../contacts/conversation-view.js';
import { describeError } from '../events/typed-emitter.js';
import type { Logger } from '../log/logger.js';
import type { StationAuthenticator } from './station-auth.js';
import {
  toChatJson,
  toConversationLineJson,
  toMailThreadJson,
  toStationContactJson,
  type StationEventFrame,
} from './station-json.js';

/** Close codes in the application range (4000-4999), documented in docs/stations.md. */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_AUTH_TIMEOUT = 4408;
const CLOSE_GOING_AWAY = 1001;

/** A station that stops reading is cut off rather than buffered for without end. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

interface PendingSocket {
  readonly timer: NodeJS.Timeout;
}

/** What a station is sent on connecting; chats and mails only where the box serves them. */
export interface StationSnapshot {
  readonly contacts: readonly StationContactView[];
  readonly chats?: readonly ChatView[];
  readonly mails?: readonly MailThreadView[];
}

export interface StationEventHubOptions {
  readonly authenticator: StationAuthenticator;
  /** Per station: a station's chat list holds the queue and its own chats, not another desk's. */
  readonly snapshot: (stationId: string) => StationSnapshot;
  readonly authTimeoutMs: number;
  readonly logger: Logger;
}

function parseFrame(data: RawData, isBinary: boolean): { type: string; token?: unknown } | undefined {
  if (isBinary) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const type = (parsed as Record<string, unknown>).type;
  if (typeof type !== 'string') return undefined;
  return { type, token: (parsed as Record<string, unknown>).token };
}

/**
 * The /api/v1/events sockets: each must authenticate with its first useful frame, then gets a
 * snapshot and every contact, chat and mail change; a chat's lines go only to the station that took it. The token travels in a frame, not the URL, so it never reaches
 * an access log or the browser history.
 */
export class StationEventHub {
  readonly #options: StationEventHubOptions;
  readonly #pending = new Map<WebSocket, PendingSocket>();
  readonly #subscribers = new Map<WebSocket, string>();
  readonly #counters = { authenticated: 0, authFailures: 0, authTimeouts: 0, malformedFrames: 0, slowClosed: 0 };

  constructor(options: StationEventHubOptions) {
    this.#options = options;
  }

  accept(socket: WebSocket): void {
    const timer = setTimeout(() => {
      this.#counters.authTimeouts += 1;
      socket.close(CLOSE_AUTH_TIMEOUT, 'authentication timed out');
    }, this.#options.authTimeoutMs);
    this.#pending.set(socket, { timer });
    socket.on('message', (data, isBinary) => this.#receive(socket, data, isBinary));
    socket.on('close', () => this.#forget(socket));
  }

  /** Sends one contact change to every authenticated station. */
  publish(view: StationContactView): void {
    this.#broadcast({ type: 'contact', contact: toStationContactJson(view) });
  }

  /** A chat changed: every station hears it, since a queued chat is anyone's to take. */
  publishChat(view: ChatView): void {
    this.#broadcast({ type: 'chat-changed', chat: toChatJson(view) });
  }

  /** A line written or redacted: only the sockets of the station that took the chat. */
  publishChatLine(reference: ContactReference, stationId: string, line: ConversationLineView): void {
    const frame = JSON.stringify({ type: 'chat-line', reference, line: toConversationLineJson(line) } satisfies StationEventFrame);
    for (const [socket, subscriber] of this.#subscribers) {
      if (subscriber === stationId) this.#sendText(socket, frame);
    }
  }

  publishMail(view: MailThreadView): void {
    this.#broadcast({ type: 'mail-changed', thread: toMailThreadJson(view) });
  }

  /** Closes every socket; used by the server's stop(). */
  closeAll(): void {
    for (const socket of [...this.#pending.keys(), ...this.#subscribers.keys()]) {
      socket.close(CLOSE_GOING_AWAY, 'server stopping');
      this.#forget(socket);
    }
  }

  counters(): Readonly<Record<string, number>> {
    return { ...this.#counters, connected: this.#subscribers.size, pending: this.#pending.size };
  }

  #broadcast(frame: StationEventFrame): void {
    if (this.#subscribers.size === 0) return;
    const text = JSON.stringify(frame);
    for (const socket of this.#subscribers.keys()) this.#sendText(socket, text);
  }

  #receive(socket: WebSocket, data: RawData, isBinary: boolean): void {
    const frame = parseFrame(data, isBinary);
    if (frame === undefined) {
      this.#counters.malformedFrames += 1;
      this.#sendError(socket, 'HGW_STATION_BAD_REQUEST', 'expected a JSON object with a string "type"');
      return;
    }
    if (this.#subscribers.has(socket)) {
      this.#sendError(socket, 'HGW_STATION_BAD_REQUEST', 'no messages are expected after authentication');
      return;
    }
    if (frame.type !== 'auth') {
      this.#sendError(socket, 'HGW_STATION_BAD_REQUEST', 'authenticate first: {"type":"auth","token":"..."}');
      return;
    }
    const stationId = this.#options.authenticator.authenticate(frame.token);
    if (stationId === undefined) {
      this.#counters.authFailures += 1;
      this.#options.logger.warn({ route: '/api/v1/events' }, 'station authentication failed');
      this.#sendError(socket, 'HGW_STATION_UNAUTHORIZED', 'unknown station token');
      socket.close(CLOSE_UNAUTHORIZED, 'unauthorized');
      this.#forget(socket);
      return;
    }
    this.#subscribe(socket, stationId);
  }

  #subscribe(socket: WebSocket, stationId: string): void {
    const pending = this.#pending.get(socket);
    if (pending) clearTimeout(pending.timer);
    this.#pending.delete(socket);
    const snapshot = this.#snapshot(stationId);
    if (snapshot === undefined) {
      this.#sendError(socket, 'HGW_STATION_INTERNAL', 'the contact, chat and mail lists are unavailable; reconnect later');
      socket.close(1011, 'snapshot failed');
      return;
    }
    this.#subscribers.set(socket, stationId);
    this.#counters.authenticated += 1;
    this.#options.logger.info({ stationId, route: '/api/v1/events' }, 'station connected');
    this.#sendText(socket, JSON.stringify(snapshot));
  }

  #snapshot(stationId: string): StationEventFrame | undefined {
    try {
      const { contacts, chats, mails } = this.#options.snapshot(stationId);
      const conversations = chats === undefined && mails === undefined ? {} : { station: stationId };
      return {
        type: 'snapshot',
        contacts: contacts.map(toStationContactJson),
        ...conversations,
        ...(chats === undefined ? {} : { chats: chats.map(toChatJson) }),
        ...(mails === undefined ? {} : { mails: mails.map(toMailThreadJson) }),
      };
    } catch (error) {
      this.#options.logger.error({ err: describeError(error) }, 'station snapshot failed');
      return undefined;
    }
  }

  #sendError(socket: WebSocket, code: string, message: string): void {
    this.#sendText(socket, JSON.stringify({ type: 'error', code, message } satisfies StationEventFrame));
  }

  #sendText(socket: WebSocket, text: string): void {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.#counters.slowClosed += 1;
      socket.terminate();
      this.#forget(socket);
      return;
    }
    socket.send(text, (error) => {
      if (error) this.#options.logger.warn({ err: describeError(error) }, 'station frame not delivered');
    });
  }

  #forget(socket: WebSocket): void {
    const pending = this.#pending.get(socket);
    if (pending) clearTimeout(pending.timer);
    this.#pending.delete(socket);
    if (this.#subscribers.delete(socket)) {
      this.#options.logger.info({ route: '/api/v1/events' }, 'station disconnected');
    }
  }
}
