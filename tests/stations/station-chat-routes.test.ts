import { afterEach, describe, expect, it } from 'vitest';
import { FakeChatBackend } from './fake-chat-backend.js';
import { FakeStationBackend } from './fake-station-backend.js';
import { bearer, DESK_ONE, DESK_TWO, startHarness, type Harness } from './station-harness.js';

let harness: Harness | undefined;

afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

async function call(method: string, path: string, options: { body?: unknown; token?: string | null; raw?: string } = {}): Promise<Answer> {
  if (!harness) throw new Error('no harness');
  const token = options.token === undefined ? DESK_ONE.token : options.token;
  const headers: Record<string, string> = token === null ? {} : bearer(token);
  const hasBody = options.body !== undefined || options.raw !== undefined;
  if (hasBody) headers['content-type'] = 'application/json';
  const response = await fetch(`${harness.url}${path}`, {
    method,
    headers,
    ...(hasBody ? { body: options.raw ?? JSON.stringify(options.body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function withChat(options: { maxText?: number } = {}): Promise<FakeChatBackend> {
  const backend = new FakeStationBackend();
  const chat = new FakeChatBackend({ contacts: backend, ...options });
  harness = await startHarness({ backend, chat });
  return chat;
}

const PHONE_LINE = 'bel me op 0612345678 aub';
const PHONE_SPAN = { type: 'PHONE', start: 10, end: 20 };

describe('station chat routes', () => {
  it('answers 404 on every chat route when the box serves no chat', async () => {
    harness = await startHarness();
    for (const [method, path] of [
      ['GET', '/api/v1/chats'],
      ['GET', '/api/v1/chats/K7Q-3F9/lines'],
      ['POST', '/api/v1/chats/K7Q-3F9/accept'],
      ['POST', '/api/v1/chats/K7Q-3F9/close'],
    ] as const) {
      const answer = await call(method, path);
      expect(answer.status, path).toBe(404);
      expect(answer.body.code).toBe('HGW_STATION_NOT_FOUND');
    }
  });

  it('refuses every chat route without a valid token before the desk is asked', async () => {
    const chat = await withChat();
    chat.queue('K7Q-3F9');
    const requests: [string, string, unknown?][] = [
      ['GET', '/api/v1/chats'],
      ['GET', '/api/v1/chats/K7Q-3F9/lines'],
      ['POST', '/api/v1/chats/K7Q-3F9/accept'],
      ['POST', '/api/v1/chats/K7Q-3F9/messages', { text: 'hallo' }],
      ['POST', '/api/v1/chats/K7Q-3F9/lines/1/redact', { spans: [PHONE_SPAN] }],
      ['POST', '/api/v1/chats/K7Q-3F9/close'],
    ];
    for (const token of [null, 'desk-one-secret-token-7f3a9X']) {
      for (const [method, path, body] of requests) {
        const answer = await call(method, path, { token, ...(body === undefined ? {} : { body }) });
        expect(answer.status, `${method} ${path}`).toBe(401);
        expect(answer.body.code).toBe('HGW_STATION_UNAUTHORIZED');
      }
    }
    expect(chat.chats(DESK_ONE.id)[0]?.state).toBe('queued');
    expect(chat.sent).toEqual([]);
  });

  it('shows the queue to every station, lets the first take a chat and answers 409 to the second', async () => {
    const chat = await withChat();
    chat.queue('K7Q-3F9', { priorContacts: 2 });
    const before = await call('GET', '/api/v1/chats', { token: DESK_TWO.token });
    expect(before.body).toEqual({ chats: [expect.objectContaining({ reference: 'K7Q-3F9', state: 'queued', queuePosition: 1, priorContacts: 2, stationId: null })] });

    const taken = await call('POST', '/api/v1/chats/K7Q-3F9/accept');
    expect(taken.status).toBe(200);
    expect(taken.body.chat).toMatchObject({ reference: 'K7Q-3F9', state: 'active', stationId: DESK_ONE.id, queuePosition: null });

    const second = await call('POST', '/api/v1/chats/K7Q-3F9/accept', { token: DESK_TWO.token });
    expect(second).toEqual({ status: 409, body: { code: 'HGW_CHAT_INVALID_STATE', message: expect.any(String) } });
    expect((await call('GET', '/api/v1/chats', { token: DESK_TWO.token })).body).toEqual({ chats: [] });
    expect((await call('GET', '/api/v1/chats')).body.chats).toHaveLength(1);
  });

  it('maps the desk refusals: unknown chat 404, another desk’s chat 403, a malformed reference 400', async () => {
    const chat = await withChat();
    chat.queue('K7Q-3F9');
    await call('POST', '/api/v1/chats/K7Q-3F9/accept');
    expect(await call('POST', '/api/v1/chats/ZZZ-000/accept')).toMatchObject({ status: 404, body: { code: 'HGW_CHAT_UNKNOWN_CHAT' } });
    expect(await call('GET', '/api/v1/chats/ZZZ-000/lines')).toMatchObject({ status: 404, body: { code: 'HGW_CHAT_UNKNOWN_CHAT' } });
    expect(await call('POST', '/api/v1/chats/K7Q-3F9/messages', { token: DESK_TWO.token, body: { text: 'hoi' } })).toMatchObject({ status: 403, body: { code: 'HGW_TRANSCRIPT_FORBIDDEN' } });
    expect(await call('POST', '/api/v1/chats/K7Q-3F9/close', { token: DESK_TWO.token })).toMatchObject({ status: 403 });
    expect(await call('POST', '/api/v1/chats/K7Q%203F9/accept')).toMatchObject({ status: 400, body: { code: 'HGW_STATION_BAD_REQUEST' } });
    expect(chat.sent).toEqual([]);
  });

  it('sends a message and lists the lines of the chat this station took', async () => {
    const chat = await withChat();
    chat.queue('K7Q-3F9');
    chat.callerWrites('K7Q-3F9', PHONE_LINE, [PHONE_SPAN]);
    await call('POST', '/api/v1/chats/K7Q-3F9/accept');
    const sent = await call('POST', '/api/v1/chats/K7Q-3F9/messages', { body: { text: 'Fijn dat je er bent.' } });
    expect(sent.status).toBe(200);
    expect(sent.body.line).toMatchObject({ author: 'volunteer', text: 'Fijn dat je er bent.', suggestions: [], redacted: false });
    const lines = await call('GET', '/api/v1/chats/K7Q-3F9/lines');
    expect(lines.body.lines).toEqual([
      expect.objectContaining({ author: 'caller', text: PHONE_LINE, suggestions: [PHONE_SPAN] }),
      expect.objectContaining({ author: 'volunteer' }),
    ]);
    expect(chat.sent).toEqual([{ reference: 'K7Q-3F9', stationId: DESK_ONE.id, text: 'Fijn dat je er bent.' }]);
  });

  it('refuses a message body that is missing, mistyped, blank or has extra fields with 400, and one over 10,000 characters with 413', async () => {
    const chat = await withChat({ maxText: 10_000 });
    chat.queue('K7Q-3F9');
    await call('POST', '/api/v1/chats/K7Q-3F9/accept');
    const path = '/api/v1/chats/K7Q-3F9/messages';
    for (const body of [{}, { text: 5 }, { text: '   \n ' }, { text: 'hoi', html: '<b>' }, []]) {
      expect(await call('POST', path, { body }), JSON.stringify(body)).toMatchObject({ status: 400, body: { code: 'HGW_STATION_BAD_REQUEST' } });
    }
    expect(await call('POST', path, { raw: '{"text": "ho' })).toMatchObject({ status: 400 });
    expect(await call('POST', path, { body: { text: 'a'.repeat(10_001) } })).toMatchObject({ status: 413, body: { code: 'HGW_CHAT_TOO_LARGE' } });
    // Astral characters count twice, as String.length does: 5,001 of them is 10,002 code units.
    expect(await call('POST', path, { body: { text: '😀'.repeat(5_001) } })).toMatchObject({ status: 413, body: { code: 'HGW_CHAT_TOO_LARGE' } });
    expect(chat.sent).toEqual([]);

    expect((await call('POST', path, { body: { text: '😀'.repeat(5_000) } })).status).toBe(200);
    // 10,000 characters that JSON escapes to six bytes each still fit under the route's body limit.
    expect((await call('POST', path, { raw: JSON.stringify({ text: '\u0001'.repeat(10_000) }) })).status).toBe(200);
    expect(chat.sent).toHaveLength(2);
  });

  it('passes the desk’s own HGW_CHAT_TOO_LARGE on as 413', async () => {
    const chat = await withChat({ maxText: 100 });
    chat.queue('K7Q-3F9');
    await call('POST', '/api/v1/chats/K7Q-3F9/accept');
    expect(await call('POST', '/api/v1/chats/K7Q-3F9/messages', { body: { text: 'x'.repeat(101) } })).toMatchObject({ status: 413, body: { code: 'HGW_CHAT_TOO_LARGE' } });
  });

  it('redacts a span for good and hands the desk exactly the spans, sorted', async () => {
    const chat = await withChat();
    chat.queue('K7Q-3F9');
    const line = chat.callerWrites('K7Q-3F9', 'ik ben Sanne en bel 0612345678', [{ type: 'NAME', start: 7, end: 12 }, { type: 'PHONE', start: 20, end: 30 }]);
    await call('POST', '/api/v1/chats/K7Q-3F9/accept');
    const answer = await call('POST', `/api/v1/chats/K7Q-3F9/lines/${line.id}/redact`, {
      body: { spans: [{ type: 'PHONE', start: 20, end: 30 }, { type: '', start: 7, end: 12 }] },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.line).toMatchObject({ id: line.id, text: 'ik ben […] en bel [PHONE]', redacted: true, suggestions: [] });
    expect(chat.redactions).toEqual([
      { reference: 'K7Q-3F9', stationId: DESK_ONE.id, lineId: line.id, spans: [{ type: '', start: 7, end: 12 }, { type: 'PHONE', start: 20, end: 30 }] },
    ]);
  });

  it('refuses bad spans with 400: empty, reversed, overlapping, past the line, or malformed', async () => {
    const chat = await withChat();
    chat.queue('K7Q-3F9');
    const line = chat.callerWrites('K7Q-3F9', PHONE_LINE, [PHONE_SPAN]);
    await call('POST', '/api/v1/chats/K7Q-3F9/accept');
    const path = `/api/v1/chats/K7Q-3F9/lines/${line.id}/redact`;
    const badSpan = [
      [{ type: 'PHONE', start: 5, end: 5 }],
      [{ type: 'PHONE', start: 9, end: 4 }],
      [{ type: 'PHONE', start: 0, end: 6 }, { type: 'NAME', start: 5, end: 8 }],
      [{ type: 'PHONE', start: 10, end: 400 }],
    ];
    for (const spans of badSpan) {
      expect(await call('POST', path, { body: { spans } }), JSON.stringify(spans)).toMatchObject({ status: 400, body: { code: 'HGW_TRANSCRIPT_BAD_SPAN' } });
    }
    const malformed = [
      { spans: [] },
      { spans: [{ type: 'phone', start: 1, end: 2 }] },
      { spans: [{ type: 'PHONE', start: 1.5, end: 2 }] },
      { spans: [{ type: 'PHONE', start: -1, end: 2 }] },
      { spans: [{ type: 'PHONE', start: 1, end: 2, text: '06' }] },
      { spans: [PHONE_SPAN], reason: 'x' },
      { spans: Array.from({ length: 65 }, (_, index) => ({ type: 'NAME', start: index, end: index + 1 })) },
    ];
    for (const body of malformed) {
      expect(await call('POST', path, { body }), JSON.stringify(body).slice(0, 80)).toMatchObject({ status: 400, body: { code: 'HGW_STATION_BAD_REQUEST' } });
    }
    expect(await call('POST', '/api/v1/chats/K7Q-3F9/lines/abc/redact', { body: { spans: [PHONE_SPAN] } })).toMatchObject({ status: 400 });
    expect(chat.redactions).toEqual([]);
  });

  it('closes the chat: the answer says closed and the contact waits for its wrap-up like a call', async () => {
    const chat = await withChat();
    chat.queue('K7Q-3F9');
    await call('POST', '/api/v1/chats/K7Q-3F9/accept');
    const closed = await call('POST', '/api/v1/chats/K7Q-3F9/close');
    expect(closed).toMatchObject({ status: 200, body: { chat: { reference: 'K7Q-3F9', state: 'closed' } } });
    expect((await call('GET', '/api/v1/contacts')).body.contacts).toEqual([expect.objectContaining({ reference: 'K7Q-3F9', channel: 'chat', state: 'ended' })]);
    expect(await call('POST', '/api/v1/chats/K7Q-3F9/messages', { body: { text: 'nog iets' } })).toMatchObject({ status: 409, body: { code: 'HGW_CHAT_INVALID_STATE' } });
  });
});
