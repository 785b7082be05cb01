import WebSocket from 'ws';
import type { ChatterFrame } from '../../src/chat/chat-protocol.js';

/** A chatter's browser stood in for by a real `ws` client: every frame kept, awaited by type. */
export class ChatClient {
  readonly frames: ChatterFrame[] = [];
  readonly closed: Promise<number>;
  readonly #socket: WebSocket;
  #waiters: Array<() => void> = [];
  #closeCode: number | undefined;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as ChatterFrame);
      this.#wake();
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code) => {
        this.#closeCode = code;
        this.#wake();
        resolve(code);
      });
    });
  }

  static async connect(url: string, headers: Record<string, string> = {}): Promise<ChatClient> {
    const socket = new WebSocket(url.replace(/^http/, 'ws') + '/ws', { headers });
    const client = new ChatClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  get isOpen(): boolean {
    return this.#socket.readyState === WebSocket.OPEN;
  }

  get closeCode(): number | undefined {
    return this.#closeCode;
  }

  send(frame: unknown): void {
    this.#socket.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.#socket.send(data, { binary });
  }

  /** The `count`-th frame of `type` (1 = the first ever received), waiting up to `timeoutMs`. */
  async frame<T extends ChatterFrame['type']>(type: T, count = 1, timeoutMs = 5_000): Promise<Extract<ChatterFrame, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const matching = this.frames.filter((frame): frame is Extract<ChatterFrame, { type: T }> => frame.type === type);
      const found = matching[count - 1];
      if (found) return found;
      if (this.#closeCode !== undefined) throw new Error(`socket closed (${this.#closeCode}) before frame ${type} #${count}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no frame ${type} #${count} within ${timeoutMs} ms; got ${JSON.stringify(this.frames.map((f) => f.type))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.#socket.close();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
