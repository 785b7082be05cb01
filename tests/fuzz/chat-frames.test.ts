import fc from 'fast-check';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatServer } from '../../src/chat/chat-server.js';
import { cleanMessageText, readCallerFrame, type ChatterFrame } from '../../src/chat/chat-protocol.js';
import { createLogger } from '../../src/log/logger.js';
import { chatFixture, type ChatFixture } from '../chat/chat-fixture.js';
import { budget, FuzzReport } from './fuzz-budget.js';
import { hostileJson, hostileString, plantedIn, plantedSightings } from './hostile-values.js';

/**
 * The public chat's frames (src/chat/chat-protocol.ts), first as the pure reader, then through a
 * real ChatServer socket over the real chat desk and database: random text and binary frames,
 * JSON near-misses of the three caller frames, oversized and invalid UTF-8 frames, in any order.
 * tests/chat/chat-server.integration.test.ts has one example of each bad frame; here they come in
 * random sequences. Each frame is answered by a frame the page knows, an HGW_CHAT_* error frame that
 * repeats nothing of the input, or a close with a documented code; the server stays up and no log
 * line carries a planted identifier.
 */

const report = new FuzzReport('chat-frames');
afterAll(() => report.write());

const CHAT_CODES = new Set(['HGW_CHAT_BAD_FRAME', 'HGW_CHAT_TOO_LARGE', 'HGW_CHAT_FLOOD', 'HGW_CHAT_INVALID_STATE', 'HGW_CHAT_QUEUE_FULL']);
const FRAME_TYPES = new Set(['queued', 'connected', 'sent', 'message', 'ended', 'refused', 'error']);
/** Normal end, invalid UTF-8 in a text frame (ws), policy (flood, no hello), too big for ws. */
const CLOSE_CODES = new Set([1000, 1007, 1008, 1009]);
const MAX_MESSAGE_CHARS = 200;

/** Near-misses of hello, message and leave, and JSON that is not a frame at all. */
const frameJson = fc.oneof(
  fc.record({ type: fc.constantFrom('hello', 'message', 'leave', 'HELLO', 'Message', '', 'sent', 'error', '__proto__'), text: fc.oneof(hostileString, hostileJson) }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('message'), text: hostileString }),
  fc.constantFrom({ type: 'hello' }, { type: 'leave' }, { type: 'hello', extra: true }),
  hostileJson,
);
const textFrame = fc.oneof(
  { weight: 5, arbitrary: frameJson.map((value) => JSON.stringify(value) ?? 'undefined') },
  { weight: 2, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.constantFrom('{"type":"hello"', '{"type":"message","text":"a"}}', '[', '"hello"', 'null', '1', '{"type":"message","text":"\\ud800"}', '{"__proto__":{"type":"hello"}}') },
);

describe('the chat frame reader under fuzzing', () => {
  it('reads any text as a caller frame or HGW_CHAT_BAD_FRAME with its fixed Dutch message, never an echo', () => {
    const target = report.target('readCallerFrame: any text');
    fc.assert(
      fc.property(textFrame, (text) => {
        target.run(() => {
          const reading = readCallerFrame(text);
          if (reading.ok) {
            expect(['hello', 'message', 'leave']).toContain(reading.frame.type);
            return target.outcome(`frame: ${reading.frame.type}`);
          }
          expect(reading.code).toBe('HGW_CHAT_BAD_FRAME');
          expect(reading.message).toBe('Dit bericht kon niet gelezen worden.');
          target.outcome(reading.code);
        });
      }),
      budget(1),
    );
    target.finished();
  });

  it('cleans any message text to what UTF-8 carries, without controls, and cleaning twice changes nothing', () => {
    const target = report.target('cleanMessageText: any text');
    fc.assert(
      fc.property(fc.oneof(hostileString, fc.string({ unit: 'binary', maxLength: 300 })), (text) => {
        target.run(() => {
          const clean = cleanMessageText(text);
          expect(clean).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\r]/);
          expect(Buffer.from(clean, 'utf8').toString('utf8')).toBe(clean);
          expect(cleanMessageText(clean)).toBe(clean);
          target.outcome('clean');
        });
      }),
      budget(1),
    );
    target.finished();
  });
});

type SentFrame = { readonly kind: 'text'; readonly data: string } | { readonly kind: 'binary' | 'bad-utf8'; readonly data: Buffer };

const sentFrame: fc.Arbitrary<SentFrame> = fc.oneof(
  { weight: 8, arbitrary: textFrame.map((data): SentFrame => ({ kind: 'text', data })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes): SentFrame => ({ kind: 'binary', data: Buffer.from(bytes) })) },
  { weight: 1, arbitrary: fc.integer({ min: MAX_MESSAGE_CHARS * 6 + 257, max: 70_000 }).map((size): SentFrame => ({ kind: 'text', data: JSON.stringify({ type: 'message', text: 'x'.repeat(size) }) })) },
  { weight: 1, arbitrary: fc.constantFrom(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), Buffer.from([0xc3, 0x28]), Buffer.from([0xed, 0xa0, 0x80])).map((data): SentFrame => ({ kind: 'bad-utf8', data })) },
);

interface SocketOutcome {
  readonly frames: ChatterFrame[];
  readonly closeCode: number;
}

/** Opens a socket, sends the frames and a final `leave`, and collects everything until the server closes it. */
function playFrames(url: string, frames: readonly SentFrame[]): Promise<SocketOutcome> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`);
    const received: ChatterFrame[] = [];
    socket.on('message', (data, isBinary) => {
      if (isBinary) return reject(new Error('the box sent a binary frame'));
      try {
        received.push(JSON.parse(String(data)) as ChatterFrame);
      } catch {
        reject(new Error('the box sent a frame that is not JSON'));
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', (code) => resolve({ frames: received, closeCode: code }));
    socket.on('open', () => {
      for (const frame of frames) socket.send(frame.data, { binary: frame.kind === 'binary' });
      socket.send(JSON.stringify({ type: 'leave' }));
    });
  });
}

describe('chat frames through a real chat server socket', () => {
  let c: ChatFixture;
  let server: ChatServer;
  let url: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(line) } });
    c = chatFixture(new Date('2026-05-12T08:00:00Z'), { logger, limits: { maxMessageChars: MAX_MESSAGE_CHARS, queueLimit: 50, messagesPerMinute: 30 } });
    server = new ChatServer({
      desk: c.chatDesk,
      host: '127.0.0.1',
      port: 0,
      trustedProxies: [],
      maxMessageChars: MAX_MESSAGE_CHARS,
      chatsPerMinutePerAddress: 1000,
      clock: c.f.clock,
      scheduler: c.scheduler,
      logger,
    });
    url = (await server.start()).url;
  });

  afterAll(async () => {
    await server.stop();
    c.close();
  });

  it('answers every sequence of frames with known frames and HGW_CHAT_* errors, ends with a documented close, and stays up', async () => {
    const target = report.target('chat socket: random frame sequences');
    await fc.assert(
      fc.asyncProperty(fc.array(sentFrame, { maxLength: 8 }), async (frames) => {
        await target.runAsync(async () => {
          const { frames: answers, closeCode } = await playFrames(url, frames);
          expect(CLOSE_CODES.has(closeCode), `close ${closeCode}`).toBe(true);
          for (const answer of answers) {
            expect(FRAME_TYPES.has(answer.type), JSON.stringify(answer).slice(0, 200)).toBe(true);
            if (answer.type !== 'error') continue;
            expect(CHAT_CODES.has(answer.code), answer.code).toBe(true);
            expect(plantedIn(answer.message)).toBeUndefined();
            expect(answer.message).not.toMatch(/[<>{}]/);
          }
          // Each input is its own minute: the per-minute limits start afresh.
          c.scheduler.advance(61_000);
          target.outcome(`close ${closeCode}`);
        });
      }),
      budget(8),
    );
    for (const line of logLines) expect(plantedIn(line), line).toBeUndefined();
    expect(plantedSightings('chat server log', logLines)).toEqual([]);
    expect(logLines.filter((line) => /"level":50/.test(line))).toEqual([]);
    const after = await playFrames(url, [{ kind: 'text', data: JSON.stringify({ type: 'hello' }) }]);
    expect(after.frames[0]).toMatchObject({ type: 'queued' });
    target.finished();
  });
});
