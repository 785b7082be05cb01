import { afterEach, describe, expect, it } from 'vitest';
import type { ChatIntake } from '../../src/chat/chat-desk.js';
import { ChatServer } from '../../src/chat/chat-server.js';
import { createLogger, type Logger } from '../../src/log/logger.js';
import { canonicalText } from '../../src/privacy/raw-identifier.js';
import { ChatClient } from './chat-client.js';
import { chatFixture, type ChatFixture } from './chat-fixture.js';

interface Running {
  readonly c: ChatFixture;
  readonly server: ChatServer;
  readonly url: string;
  /** What the intake received, as text (the test may look; the box never prints it). */
  readonly identifiers: Array<string | null>;
  readonly logLines: string[];
}

const running: Running[] = [];

afterEach(async () => {
  for (const { c, server } of running.splice(0)) {
    await server.stop();
    c.close();
  }
});

function recordingIntake(identifiers: Array<string | null>): (real: ChatIntake) => ChatIntake {
  return (real) => ({
    offerContact: (offer) => {
      identifiers.push(offer.identifier ? canonicalText(offer.identifier) : null);
      return real.offerContact(offer);
    },
    callAnswered: (key) => real.callAnswered(key),
    endCall: (key, at) => real.endCall(key, at),
    onContactChanged: (listener) => real.onContactChanged(listener),
  });
}

function memoryLogger(lines: string[]): Logger {
  return createLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(line) } });
}

async function start(trustedProxies: readonly string[], limits: { chatsPerMinutePerAddress?: number; messagesPerMinute?: number } = {}): Promise<Running> {
  const identifiers: Array<string | null> = [];
  const logLines: string[] = [];
  const logger = memoryLogger(logLines);
  const c = chatFixture(new Date('2026-05-12T08:00:00Z'), {
    intake: recordingIntake(identifiers),
    logger,
    limits: { queueLimit: 50, messagesPerMinute: limits.messagesPerMinute ?? 5 },
  });
  const server = new ChatServer({
    desk: c.chatDesk,
    host: '127.0.0.1',
    port: 0,
    trustedProxies,
    maxMessageChars: 200,
    chatsPerMinutePerAddress: limits.chatsPerMinutePerAddress ?? 5,
    clock: c.f.clock,
    scheduler: c.scheduler,
    logger,
  });
  const { url } = await server.start();
  const entry = { c, server, url, identifiers, logLines };
  running.push(entry);
  return entry;
}

async function hello(url: string, headers: Record<string, string> = {}): Promise<ChatClient> {
  const client = await ChatClient.connect(url, headers);
  client.send({ type: 'hello' });
  return client;
}

describe('the client address', () => {
  it('believes X-Forwarded-For from a trusted proxy: the right-most entry that is not a proxy itself', async () => {
    const { url, identifiers } = await start(['127.0.0.0/8', '10.0.0.0/8']);
    const direct = await hello(url, { 'X-Forwarded-For': '192.0.2.66, 203.0.113.5' });
    await direct.frame('queued');
    const chained = await hello(url, { 'X-Forwarded-For': '192.0.2.66, [2001:db8::7]:51000, 10.1.2.3' });
    await chained.frame('queued');
    const mapped = await hello(url, { 'X-Forwarded-For': '::ffff:198.51.100.8' });
    await mapped.frame('queued');
    expect(identifiers).toEqual(['203.0.113.5', '2001:db8::7', '198.51.100.8']);
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy and takes the peer itself', async () => {
    const { url, identifiers } = await start(['10.0.0.0/8']);
    const client = await hello(url, { 'X-Forwarded-For': '203.0.113.5' });
    await client.frame('queued');
    expect(identifiers).toEqual(['127.0.0.1']);
  });

  it('goes on unlinked, logging HGW_CHAT_NO_ADDRESS without any address, when a trusted proxy sends no readable X-Forwarded-For', async () => {
    const { url, identifiers, logLines } = await start(['127.0.0.1']);
    const none = await hello(url);
    await none.frame('queued');
    const garbled = await hello(url, { 'X-Forwarded-For': '203.0.113.5, not-an-address' });
    await garbled.frame('queued');
    expect(identifiers).toEqual([null, null]);
    const noAddress = logLines.filter((line) => line.includes('HGW_CHAT_NO_ADDRESS'));
    expect(noAddress).toHaveLength(2);
    expect(noAddress.join('\n')).not.toMatch(/127\.0\.0\.1|203\.0\.113\.5/);
  });
});

describe('frames the box does not expect', () => {
  it('answers binary, garbage, unknown, oversized and premature frames with error frames and keeps the chat open', async () => {
    const { url } = await start([]);
    const client = await ChatClient.connect(url);
    client.send({ type: 'message', text: 'voor hello' });
    expect(await client.frame('error', 1)).toMatchObject({ code: 'HGW_CHAT_INVALID_STATE' });
    client.send({ type: 'hello' });
    await client.frame('queued');
    client.sendRaw(Buffer.from([0, 1, 2, 3]), true);
    expect(await client.frame('error', 2)).toMatchObject({ code: 'HGW_CHAT_BAD_FRAME' });
    client.sendRaw('{"type": "message", "text": <script>');
    expect(await client.frame('error', 3)).toMatchObject({ code: 'HGW_CHAT_BAD_FRAME' });
    client.send({ type: 'surprise' });
    expect(await client.frame('error', 4)).toMatchObject({ code: 'HGW_CHAT_BAD_FRAME' });
    client.send({ type: 'message', text: 42 });
    expect(await client.frame('error', 5)).toMatchObject({ code: 'HGW_CHAT_BAD_FRAME' });
    client.send([1, 2, 3]);
    expect(await client.frame('error', 6)).toMatchObject({ code: 'HGW_CHAT_BAD_FRAME' });
    client.send({ type: 'message', text: 'x'.repeat(20_000) });
    expect(await client.frame('error', 7)).toMatchObject({ code: 'HGW_CHAT_TOO_LARGE' });
    client.send({ type: 'message', text: 'y'.repeat(201) });
    expect(await client.frame('error', 8)).toMatchObject({ code: 'HGW_CHAT_TOO_LARGE' });
    client.send({ type: 'hello' });
    expect(await client.frame('error', 9)).toMatchObject({ code: 'HGW_CHAT_INVALID_STATE' });

    const errors = client.frames.filter((frame) => frame.type === 'error');
    expect(JSON.stringify(errors)).not.toMatch(/script|surprise|xxxx/);
    client.send({ type: 'message', text: '<img src=x onerror=alert(1)>' });
    expect(await client.frame('sent')).toMatchObject({ text: '<img src=x onerror=alert(1)>' });
    expect(client.isOpen).toBe(true);
  });

  it('answers a flood of messages with HGW_CHAT_FLOOD and relays again once the minute has passed', async () => {
    const { url, c } = await start([]);
    const client = await hello(url);
    await client.frame('queued');
    for (let n = 0; n < 8; n++) client.send({ type: 'message', text: `bericht ${n}` });
    await client.frame('sent', 5);
    expect(await client.frame('error', 3)).toMatchObject({ code: 'HGW_CHAT_FLOOD' });
    c.scheduler.advance(61_000);
    client.send({ type: 'message', text: 'weer rustig' });
    expect(await client.frame('sent', 6)).toMatchObject({ text: 'weer rustig' });
    expect(client.isOpen).toBe(true);
  });

  it('stops answering bad frames past its share of errors a minute, without closing the chat', async () => {
    const { url } = await start([]);
    const client = await hello(url);
    await client.frame('queued');
    for (let n = 0; n < 100; n++) client.sendRaw('garbage');
    client.send({ type: 'message', text: 'nog hier' });
    await client.frame('sent');
    expect(client.frames.filter((frame) => frame.type === 'error')).toHaveLength(30);
    expect(client.isOpen).toBe(true);
  });

  it('closes a connection that never says hello', async () => {
    const { url, c, identifiers } = await start([]);
    const client = await ChatClient.connect(url);
    c.scheduler.advance(60_000);
    expect(await client.closed).toBe(1008);
    expect(identifiers).toEqual([]);
  });

  it('refuses a new chat past chatsPerMinutePerAddress from one address, with HGW_CHAT_FLOOD', async () => {
    const { url, c, identifiers } = await start(['127.0.0.1'], { chatsPerMinutePerAddress: 2 });
    const headers = { 'X-Forwarded-For': '203.0.113.5' };
    await (await hello(url, headers)).frame('queued');
    await (await hello(url, headers)).frame('queued');
    const third = await hello(url, headers);
    expect(await third.frame('error')).toMatchObject({ code: 'HGW_CHAT_FLOOD' });
    expect(await third.closed).toBe(1008);
    const other = await hello(url, { 'X-Forwarded-For': '203.0.113.6' });
    await other.frame('queued');
    c.scheduler.advance(61_000);
    await (await hello(url, headers)).frame('queued');
    expect(identifiers).toHaveLength(4);
  });
});

describe('a whole chat over the socket', () => {
  it('relays both ways and tells the chatter when the volunteer closes', async () => {
    const { url, c } = await start([]);
    const client = await hello(url);
    await client.frame('queued');
    const reference = c.chatDesk.chats('desk-1')[0]?.reference;
    if (!reference) throw new Error('no chat');
    expect(c.chatDesk.accept(reference, 'desk-1').ok).toBe(true);
    await client.frame('connected');
    client.send({ type: 'message', text: 'hoi' });
    await client.frame('sent');
    expect(c.chatDesk.send(reference, 'desk-1', 'hoi, fijn dat je er bent').ok).toBe(true);
    expect(await client.frame('message')).toMatchObject({ text: 'hoi, fijn dat je er bent' });
    expect(c.chatDesk.close(reference, 'desk-1').ok).toBe(true);
    expect(await client.frame('ended')).toEqual({ type: 'ended', reason: 'volunteer' });
    expect(await client.closed).toBe(1000);
  });

  it('ends the chat when the chatter closes the page', async () => {
    const { url, c } = await start([]);
    const client = await hello(url);
    await client.frame('queued');
    const reference = c.chatDesk.chats('desk-1')[0]?.reference;
    if (!reference) throw new Error('no chat');
    expect(c.chatDesk.accept(reference, 'desk-1').ok).toBe(true);
    await client.frame('connected');
    client.close();
    await client.closed;
    await expect.poll(() => c.chatDesk.chats('desk-1')[0]?.state).toBe('closed');
  });
});

describe('the chat page', () => {
  it('is served in Dutch with a strict CSP, no inline script and a live region for messages', async () => {
    const { url } = await start([]);
    const page = await fetch(`${url}/`);
    const html = await page.text();
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('set-cookie')).toBeNull();
    expect(html).toContain('<html lang="nl">');
    expect(html).toMatch(/<script src="chat\.js" defer><\/script>/);
    expect(html).not.toMatch(/<script>|<style>|\son[a-z]+=|https?:\/\//);
    expect(html).toMatch(/role="log" aria-live="polite"/);
    expect(html).toMatch(/<label for="bericht">/);
    const script = await (await fetch(`${url}/chat.js`)).text();
    expect(script).toContain('textContent');
    expect(script).not.toContain('innerHTML');
    expect((await fetch(`${url}/chat.css`)).headers.get('content-type')).toContain('text/css');
  });

  it('refuses a WebSocket opened from a page on another site', async () => {
    const { url } = await start([]);
    await expect(ChatClient.connect(url, { Origin: 'https://elders.example' })).rejects.toThrow(/403/);
  });
});
