import type { WebSocket, RawData } from 'ws';
import type { GatewayErrorCode } from '../errors.js';
import { describeError } from '../events/typed-emitter.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import type { Scheduler } from '../time/scheduler.js';
import type { ChatDesk, Chatter, ChatterSession } from './chat-desk.js';
import { readCallerFrame, type ChatterFrame } from './chat-protocol.js';
import type { ClientAddress } from './client-address.js';
import type { PerMinuteLimit } from './per-minute-limit.js';

export interface ConnectionLimits {
  /** Frames above this are answered HGW_CHAT_TOO_LARGE and dropped; the chat goes on. */
  readonly frameByteCap: number;
  readonly helloTimeoutMs: number;
  /** Error answers per minute; past it bad frames are dropped unanswered (the chat still goes on). */
  readonly errorsAnsweredPerMinute: number;
}

export interface ChatConnectionOptions {
  readonly socket: WebSocket;
  readonly client: ClientAddress;
  readonly desk: Pick<ChatDesk, 'openChat'>;
  readonly chatsPerAddress: PerMinuteLimit;
  readonly limits: ConnectionLimits;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly onClosed: () => void;
}

const MINUTE = 60_000;
/** A chatter whose page stopped reading: past this much unsent output the connection is dropped. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
const CLOSE_NORMAL = 1000;
const CLOSE_GOING_AWAY = 1001;
const CLOSE_POLICY = 1008;

/**
 * One chatter's WebSocket: reads frames (never trusting one), says hello to the desk once, and is
 * the desk's `Chatter`. Whatever arrives, the answer is a frame or nothing: no input is echoed in an
 * error, nothing here throws out of a socket event.
 */
export class ChatConnection implements Chatter {
  readonly #options: ChatConnectionOptions;
  #session: ChatterSession | undefined;
  #done = false;
  #errorTimes: number[] = [];
  #cancelHelloTimer: () => void;

  constructor(options: ChatConnectionOptions) {
    this.#options = options;
    const { socket, scheduler, limits } = options;
    this.#cancelHelloTimer = scheduler.after(limits.helloTimeoutMs, () => {
      if (!this.#session) this.#close(CLOSE_POLICY, 'no hello');
    });
    socket.on('message', (data, isBinary) => this.#guarded(() => this.#receive(data, isBinary)));
    socket.on('close', () => this.#guarded(() => this.#closed()));
    socket.on('error', (error) => options.logger.warn({ err: describeError(error) }, 'chat socket error'));
  }

  deliver(frame: ChatterFrame): void {
    const { socket } = this.#options;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.#options.logger.warn({ bufferedAmount: socket.bufferedAmount }, 'chat page not reading: connection dropped');
      socket.terminate();
      return;
    }
    socket.send(JSON.stringify(frame));
  }

  hangUp(): void {
    this.#close(CLOSE_NORMAL, 'chat ended');
  }

  closeForShutdown(): void {
    this.#close(CLOSE_GOING_AWAY, 'server stopping');
  }

  #receive(data: RawData, isBinary: boolean): void {
    if (this.#done) return;
    if (isBinary) return this.#refuse('HGW_CHAT_BAD_FRAME', 'Alleen tekstberichten worden gelezen.');
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (bytes.length > this.#options.limits.frameByteCap) return this.#refuse('HGW_CHAT_TOO_LARGE', 'Dit bericht is te groot. Verdeel het over meer berichten.');
    const reading = readCallerFrame(bytes.toString('utf8'));
    if (!reading.ok) return this.#refuse(reading.code, reading.message);
    const frame = reading.frame;
    switch (frame.type) {
      case 'hello':
        return this.#hello();
      case 'message':
        if (!this.#session) return this.#refuse('HGW_CHAT_INVALID_STATE', 'Start eerst de chat.');
        return this.#session.say(frame.text);
      case 'leave':
        if (this.#session) return this.#session.leave();
        return this.#close(CLOSE_NORMAL, 'left');
    }
  }

  #hello(): void {
    if (this.#session) return this.#refuse('HGW_CHAT_INVALID_STATE', 'De chat is al begonnen.');
    const { client, chatsPerAddress, desk, logger } = this.#options;
    if (client.kind === 'address' && !chatsPerAddress.take(client.limitKey)) {
      logger.warn({ code: 'HGW_CHAT_FLOOD' }, 'new chat refused: too many chats from one address this minute');
      this.deliver({ type: 'error', code: 'HGW_CHAT_FLOOD', message: 'Er zijn net te veel chats gestart vanaf jouw verbinding. Probeer het over een minuut nog eens.' });
      return this.#close(CLOSE_POLICY, 'too many chats');
    }
    if (client.kind === 'unreadable') logger.warn({ code: 'HGW_CHAT_NO_ADDRESS', why: client.why }, 'chat client address unreadable: the chat goes on unlinked');
    this.#cancelHelloTimer();
    // Set before openChat returns: the desk may hang up (a full queue, a refusal) inside the call.
    this.#session = { say: () => undefined, leave: () => undefined };
    this.#session = desk.openChat(client.kind === 'address' ? client.address : null, this);
  }

  /** An error frame, unless this connection already had its minute's share of them. */
  #refuse(code: GatewayErrorCode, message: string): void {
    const now = this.#options.clock.now();
    this.#errorTimes = this.#errorTimes.filter((at) => at > now - MINUTE);
    if (this.#errorTimes.length >= this.#options.limits.errorsAnsweredPerMinute) return;
    this.#errorTimes.push(now);
    this.deliver({ type: 'error', code, message });
  }

  #close(code: number, reason: string): void {
    const { socket } = this.#options;
    this.#done = true;
    this.#cancelHelloTimer();
    if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) socket.close(code, reason);
  }

  #closed(): void {
    this.#done = true;
    this.#cancelHelloTimer();
    const session = this.#session;
    this.#session = undefined;
    session?.leave();
    this.#options.onClosed();
  }

  /** A socket event handler must never throw into ws: log (no content) and carry on. */
  #guarded(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.#options.logger.error({ err: describeError(error) }, 'chat frame failed');
    }
  }
}
