import { afterEach, describe, expect, it } from 'vitest';
import type { ChatView, ConversationLineView, MailMessageView, MailThreadView } from '../../src/contacts/conversation-view.js';
import { FakeChatBackend, SECRET_IP } from './fake-chat-backend.js';
import { FakeMailBackend, SECRET_EMAIL } from './fake-mail-backend.js';
import { contactView, FakeStationBackend } from './fake-station-backend.js';
import { bearer, DESK_ONE, DESK_TWO, SocketProbe, startHarness, type Harness } from './station-harness.js';

let harness: Harness | undefined;
const probes: SocketProbe[] = [];

afterEach(async () => {
  for (const probe of probes.splice(0)) probe.close();
  await harness?.stop();
  harness = undefined;
});

async function station(url: string, token: string): Promise<{ probe: SocketProbe; snapshot: Record<string, unknown> }> {
  const probe = new SocketProbe(url);
  probes.push(probe);
  await probe.opened();
  probe.send({ type: 'auth', token });
  return { probe, snapshot: (await probe.next()) as Record<string, unknown> };
}

async function start(options: { carrySecrets?: boolean } = {}): Promise<{ chat: FakeChatBackend; mail: FakeMailBackend; url: string }> {
  const backend = new FakeStationBackend();
  const chat = new FakeChatBackend({ contacts: backend, ...options });
  const mail = new FakeMailBackend({ contacts: backend, ...options });
  harness = await startHarness({ backend, chat, mail });
  return { chat, mail, url: harness.url };
}

function post(path: string, token = DESK_ONE.token, body?: unknown): Promise<Response> {
  if (!harness) throw new Error('no harness');
  return fetch(`${harness.url}${path}`, {
    method: 'POST',
    headers: { ...bearer(token), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

const keysOf = (value: unknown): string[] => Object.keys(value as object).sort();

describe('chat and mail events on the station socket', () => {
  it('names the station and carries the queue, its own chats and the mail threads in the snapshot', async () => {
    const { chat, mail, url } = await start();
    chat.queue('K7Q-3F9');
    chat.queue('P4W-2HN');
    chat.accept('P4W-2HN' as ChatView['reference'], DESK_TWO.id);
    mail.receive('M4X-8PT', 'Thuis', 'Help.');
    const { snapshot } = await station(url, DESK_ONE.token);
    expect(snapshot).toMatchObject({
      type: 'snapshot',
      station: DESK_ONE.id,
      chats: [{ reference: 'K7Q-3F9', state: 'queued' }],
      mails: [{ reference: 'M4X-8PT', state: 'new' }],
    });
    const other = await station(url, DESK_TWO.token);
    expect((other.snapshot.chats as unknown[]).map((c) => (c as { reference: string }).reference).sort()).toEqual(['K7Q-3F9', 'P4W-2HN']);
  });

  it('sends the snapshot without station, chats or mails on a box without those channels', async () => {
    harness = await startHarness();
    harness.backend.put(contactView({ reference: 'K7Q-3F9' }));
    const { snapshot } = await station(harness.url, DESK_ONE.token);
    expect(keysOf(snapshot)).toEqual(['contacts', 'type']);
  });

  it('tells every station of a chat change, and only the station that took it of its lines', async () => {
    const { chat, mail, url } = await start();
    const one = await station(url, DESK_ONE.token);
    const two = await station(url, DESK_TWO.token);
    const secondSocketOfOne = await station(url, DESK_ONE.token);

    chat.queue('K7Q-3F9');
    for (const desk of [one, two, secondSocketOfOne]) {
      expect(await desk.probe.next()).toMatchObject({ type: 'contact', contact: { reference: 'K7Q-3F9', channel: 'chat' } });
      expect(await desk.probe.next()).toMatchObject({ type: 'chat-changed', chat: { reference: 'K7Q-3F9', state: 'queued', queuePosition: 1 } });
    }

    expect((await post('/api/v1/chats/K7Q-3F9/accept')).status).toBe(200);
    for (const desk of [one, two, secondSocketOfOne]) {
      expect(await desk.probe.next()).toMatchObject({ type: 'contact', contact: { state: 'live' } });
      expect(await desk.probe.next()).toMatchObject({ type: 'chat-changed', chat: { state: 'active', stationId: DESK_ONE.id } });
    }

    const line = chat.callerWrites('K7Q-3F9', 'hoi, ik ben het');
    expect((await post(`/api/v1/chats/K7Q-3F9/lines/${line.id}/redact`, DESK_ONE.token, { spans: [{ type: 'NAME', start: 12, end: 15 }] })).status).toBe(200);
    for (const desk of [one, secondSocketOfOne]) {
      expect(await desk.probe.next()).toEqual({ type: 'chat-line', reference: 'K7Q-3F9', line: { ...line, suggestions: [] } });
      expect(await desk.probe.next()).toMatchObject({ type: 'chat-line', reference: 'K7Q-3F9', line: { id: line.id, text: 'hoi, ik ben [NAME]', redacted: true } });
    }

    // The next frame every station gets is the mail change: desk 2 was never sent the lines.
    mail.receive('M4X-8PT', 'Thuis', 'Help.');
    for (const desk of [one, two, secondSocketOfOne]) {
      expect(await desk.probe.next()).toMatchObject({ type: 'contact', contact: { reference: 'M4X-8PT', channel: 'mail' } });
      expect(await desk.probe.next()).toMatchObject({ type: 'mail-changed', thread: { reference: 'M4X-8PT', state: 'new', subject: 'Thuis' } });
    }
    expect(two.probe.unread()).toEqual([]);
  });

  it('drops the desks’ listeners on stop', async () => {
    const { chat, mail } = await start();
    expect(chat.listenerCount).toBe(2);
    expect(mail.listenerCount).toBe(1);
    await harness?.stop();
    harness = undefined;
    expect(chat.listenerCount).toBe(0);
    expect(mail.listenerCount).toBe(0);
  });

  it('copies only the views’ own fields: what a desk object carries beside them never reaches a station', async () => {
    const { chat, mail, url } = await start({ carrySecrets: true });
    const received: string[] = [];
    const one = await station(url, DESK_ONE.token);
    chat.queue('K7Q-3F9');
    chat.callerWrites('K7Q-3F9', 'hoi');
    mail.receive('M4X-8PT', 'Thuis', 'Help.');
    const accepted = await post('/api/v1/chats/K7Q-3F9/accept');
    const acceptedBody = (await accepted.json()) as { chat: unknown };
    chat.callerWrites('K7Q-3F9', 'nog iets');
    const lines = (await (await fetch(`${url}/api/v1/chats/K7Q-3F9/lines`, { headers: bearer(DESK_ONE.token) })).json()) as { lines: unknown[] };
    await post('/api/v1/mails/M4X-8PT/open');
    const messages = (await (await fetch(`${url}/api/v1/mails/M4X-8PT/messages`, { headers: bearer(DESK_ONE.token) })).json()) as { messages: unknown[] };
    const answered = (await (await post('/api/v1/mails/M4X-8PT/answer', DESK_ONE.token, { text: 'Dag' })).json()) as { mail: unknown };
    const threads = (await (await fetch(`${url}/api/v1/mails`, { headers: bearer(DESK_ONE.token) })).json()) as { threads: unknown[] };

    const chatKeys: (keyof ChatView)[] = ['reference', 'state', 'stationId', 'queuePosition', 'priorContacts', 'callerKnown', 'moderation', 'openedAt'];
    const lineKeys: (keyof ConversationLineView)[] = ['id', 'author', 'text', 'at', 'suggestions', 'redacted'];
    const threadKeys: (keyof MailThreadView)[] = ['reference', 'state', 'stationId', 'priorContacts', 'callerKnown', 'moderation', 'receivedAt', 'subject'];
    const messageKeys: (keyof MailMessageView)[] = ['id', 'direction', 'at', 'subject', 'text', 'suggestions', 'delivered'];
    expect(keysOf(acceptedBody.chat)).toEqual(chatKeys.sort());
    for (const line of lines.lines) expect(keysOf(line)).toEqual(lineKeys.sort());
    for (const thread of threads.threads) expect(keysOf(thread)).toEqual(threadKeys.sort());
    for (const message of [...messages.messages, answered.mail]) expect(keysOf(message)).toEqual(messageKeys.sort());

    received.push(JSON.stringify([acceptedBody, lines, messages, answered, threads, one.snapshot]));
    // The last frames of the run: the second line over the socket and the answered thread.
    await expect.poll(() => JSON.stringify(one.probe.unread())).toMatch(/nog iets[\s\S]*"state":"answered"|"state":"answered"[\s\S]*nog iets/);
    received.push(JSON.stringify(one.probe.unread()));
    const everything = received.join('\n');
    expect(everything).toContain('chat-line');
    for (const secret of [SECRET_IP, SECRET_EMAIL, 'callerIp', 'senderAddress', 'replyTo', 'pseudonym', 'c0ffee5eed']) {
      expect(everything).not.toContain(secret);
    }
  });
});
