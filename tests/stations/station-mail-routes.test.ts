import { afterEach, describe, expect, it } from 'vitest';
import { FakeMailBackend } from './fake-mail-backend.js';
import { FakeStationBackend } from './fake-station-backend.js';
import { bearer, DESK_ONE, DESK_TWO, startHarness, type Harness } from './station-harness.js';

let harness: Harness | undefined;

afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function call(method: string, path: string, options: { body?: unknown; token?: string | null } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  if (!harness) throw new Error('no harness');
  const token = options.token === undefined ? DESK_ONE.token : options.token;
  const headers: Record<string, string> = token === null ? {} : bearer(token);
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${harness.url}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function withMail(): Promise<FakeMailBackend> {
  const backend = new FakeStationBackend();
  const mail = new FakeMailBackend({ contacts: backend });
  harness = await startHarness({ backend, mail });
  return mail;
}

describe('station mail routes', () => {
  it('answers 404 on every mail route when the box serves no mail', async () => {
    harness = await startHarness();
    for (const [method, path] of [['GET', '/api/v1/mails'], ['GET', '/api/v1/mails/K7Q-3F9/messages'], ['POST', '/api/v1/mails/K7Q-3F9/open']] as const) {
      expect(await call(method, path), path).toMatchObject({ status: 404, body: { code: 'HGW_STATION_NOT_FOUND' } });
    }
  });

  it('refuses every mail route without a valid token before the desk is asked', async () => {
    const mail = await withMail();
    mail.receive('M4X-8PT', 'Hulp', 'Ik weet het niet meer.');
    const requests: [string, string, unknown?][] = [
      ['GET', '/api/v1/mails'],
      ['GET', '/api/v1/mails/M4X-8PT/messages'],
      ['POST', '/api/v1/mails/M4X-8PT/open'],
      ['POST', '/api/v1/mails/M4X-8PT/answer', { text: 'Dag' }],
      ['POST', '/api/v1/mails/M4X-8PT/close'],
    ];
    for (const token of [null, 'not-a-station-token-at-all']) {
      for (const [method, path, body] of requests) {
        expect(await call(method, path, { token, ...(body === undefined ? {} : { body }) }), path).toMatchObject({ status: 401, body: { code: 'HGW_STATION_UNAUTHORIZED' } });
      }
    }
    expect(mail.threads()[0]?.state).toBe('new');
    expect(mail.answers).toEqual([]);
  });

  it('lists threads, opens one, reads its plain text and answers it', async () => {
    const mail = await withMail();
    mail.receive('M4X-8PT', 'Thuis', 'Mijn nummer is 0612345678.', { suggestions: [{ type: 'PHONE', start: 15, end: 25 }], priorContacts: 3 });
    const list = await call('GET', '/api/v1/mails', { token: DESK_TWO.token });
    expect(list.body).toEqual({ threads: [expect.objectContaining({ reference: 'M4X-8PT', state: 'new', subject: 'Thuis', priorContacts: 3, callerKnown: true, stationId: null })] });

    expect(await call('POST', '/api/v1/mails/M4X-8PT/open')).toMatchObject({ status: 200, body: { thread: { state: 'open', stationId: DESK_ONE.id } } });
    const messages = await call('GET', '/api/v1/mails/M4X-8PT/messages');
    expect(messages.body.messages).toEqual([
      { id: expect.any(Number), direction: 'in', at: expect.any(Number), subject: 'Thuis', text: 'Mijn nummer is 0612345678.', suggestions: [{ type: 'PHONE', start: 15, end: 25 }], delivered: true },
    ]);

    const answered = await call('POST', '/api/v1/mails/M4X-8PT/answer', { body: { text: 'Dank je voor je mail.' } });
    expect(answered).toMatchObject({ status: 200, body: { mail: { direction: 'out', text: 'Dank je voor je mail.', delivered: true } } });
    expect(mail.answers).toEqual([{ reference: 'M4X-8PT', stationId: DESK_ONE.id, text: 'Dank je voor je mail.', delivered: true }]);
  });

  it('answers 502 HGW_MAIL_SEND_FAILED with the stored answer when the relay refuses it, in either way the contract allows', async () => {
    const mail = await withMail();
    mail.receive('M4X-8PT', 'Thuis', 'Help.');
    await call('POST', '/api/v1/mails/M4X-8PT/open');
    for (const style of ['refusal', 'undelivered'] as const) {
      mail.failureStyle = style;
      mail.failNextAnswers = 1;
      const failed = await call('POST', '/api/v1/mails/M4X-8PT/answer', { body: { text: `Antwoord (${style})` } });
      expect(failed.status, style).toBe(502);
      expect(failed.body).toMatchObject({ code: 'HGW_MAIL_SEND_FAILED', message: expect.any(String), mail: { direction: 'out', text: `Antwoord (${style})`, delivered: false } });
    }
    const retried = await call('POST', '/api/v1/mails/M4X-8PT/answer', { body: { text: 'Antwoord (refusal)' } });
    expect(retried).toMatchObject({ status: 200, body: { mail: { delivered: true } } });
  });

  it('resends the stored answer through the desk’s resend, without storing a copy', async () => {
    const mail = await withMail();
    mail.receive('M4X-8PT', 'Thuis', 'Help.');
    await call('POST', '/api/v1/mails/M4X-8PT/open');
    mail.failNextAnswers = 2;
    expect((await call('POST', '/api/v1/mails/M4X-8PT/answer', { body: { text: 'Dag' } })).status).toBe(502);
    expect(await call('POST', '/api/v1/mails/M4X-8PT/resend', { token: null })).toMatchObject({ status: 401 });
    expect(await call('POST', '/api/v1/mails/M4X-8PT/resend', { token: DESK_TWO.token })).toMatchObject({ status: 403, body: { code: 'HGW_STATION_FORBIDDEN' } });
    expect(await call('POST', '/api/v1/mails/M4X-8PT/resend')).toMatchObject({ status: 502, body: { code: 'HGW_MAIL_SEND_FAILED' } });
    const sent = await call('POST', '/api/v1/mails/M4X-8PT/resend');
    expect(sent.status).toBe(200);
    expect((sent.body.messages as { direction: string; delivered: boolean }[]).map((m) => [m.direction, m.delivered])).toEqual([['in', true], ['out', true]]);
    expect(mail.answers).toEqual([{ reference: 'M4X-8PT', stationId: DESK_ONE.id, text: 'Dag', delivered: true }]);
  });

  it('maps the desk refusals and validates the answer body', async () => {
    const mail = await withMail();
    mail.receive('M4X-8PT', 'Thuis', 'Help.');
    expect(await call('GET', '/api/v1/mails/ZZZ-000/messages')).toMatchObject({ status: 404, body: { code: 'HGW_MAIL_UNKNOWN_THREAD' } });
    expect(await call('POST', '/api/v1/mails/ZZZ-000/open')).toMatchObject({ status: 404, body: { code: 'HGW_MAIL_UNKNOWN_THREAD' } });
    await call('POST', '/api/v1/mails/M4X-8PT/open');
    expect(await call('POST', '/api/v1/mails/M4X-8PT/open', { token: DESK_TWO.token })).toMatchObject({ status: 409, body: { code: 'HGW_CHAT_INVALID_STATE' } });
    const path = '/api/v1/mails/M4X-8PT/answer';
    for (const body of [{}, { text: null }, { text: '' }, { text: 'hoi', to: 'iemand@example.org' }]) {
      expect(await call('POST', path, { body }), JSON.stringify(body)).toMatchObject({ status: 400, body: { code: 'HGW_STATION_BAD_REQUEST' } });
    }
    expect(await call('POST', path, { body: { text: 'a'.repeat(10_001) } })).toMatchObject({ status: 413, body: { code: 'HGW_MAIL_TOO_LARGE' } });
    expect(mail.answers).toEqual([]);
  });

  it('closes a thread: it leaves the list and waits for its wrap-up as a mail contact', async () => {
    const mail = await withMail();
    mail.receive('M4X-8PT', 'Thuis', 'Help.');
    await call('POST', '/api/v1/mails/M4X-8PT/open');
    expect(await call('POST', '/api/v1/mails/M4X-8PT/close')).toMatchObject({ status: 200, body: { thread: { state: 'closed' } } });
    expect((await call('GET', '/api/v1/mails')).body).toEqual({ threads: [] });
    expect((await call('GET', '/api/v1/contacts')).body.contacts).toEqual([expect.objectContaining({ reference: 'M4X-8PT', channel: 'mail', state: 'ended' })]);
    expect(await call('POST', '/api/v1/mails/M4X-8PT/close')).toMatchObject({ status: 404, body: { code: 'HGW_MAIL_UNKNOWN_THREAD' } });
  });
});
