import { afterEach, describe, expect, it } from 'vitest';
import type { PolicyPresetName } from '../../src/config/index.js';
import { CoordinatorClient, startCoordinatorFixture } from '../support/coordinator-fixture.js';
import { CHAT_IP } from '../transcripts/transcript-fixture.js';
import { startTranscriptServer, type TranscriptServerFixture } from './coordinator-transcripts-fixture.js';

const LINES = [
  { author: 'caller', text: 'Hoi, ik ben Sanne en ik ben 14 jaar.' },
  { author: 'volunteer', text: 'Fijn dat je er bent, Sanne.' },
  { author: 'caller', text: 'Op school in Gent pesten ze me.' },
] as const;

let fixture: TranscriptServerFixture | undefined;
let closeOther: (() => Promise<void>) | undefined;

afterEach(async () => {
  await fixture?.close();
  await closeOther?.();
  fixture = undefined;
  closeOther = undefined;
});

async function start(preset: PolicyPresetName = 'lumi-be'): Promise<TranscriptServerFixture> {
  fixture = await startTranscriptServer(preset);
  return fixture;
}

async function loggedIn(f: { url: string }, accountId: string): Promise<CoordinatorClient> {
  const client = new CoordinatorClient(f.url);
  const response = await client.login(accountId);
  if (response.status !== 200) throw new Error(`login of ${accountId} answered ${response.status}`);
  return client;
}

/** Every transcript route with a body that passes validation. */
function routes(reference: string, lineId: number): { method: string; path: string; body?: unknown }[] {
  return [
    { method: 'GET', path: '/api/v1/transcripts' },
    { method: 'GET', path: `/api/v1/transcripts/${reference}` },
    { method: 'POST', path: `/api/v1/transcripts/${reference}/address` },
    { method: 'POST', path: `/api/v1/transcripts/${reference}/fragment-drafts`, body: { lineIds: [lineId] } },
    { method: 'POST', path: `/api/v1/fragment-drafts/${'a'.repeat(32)}/save`, body: { title: 't', text: 't' } },
    { method: 'DELETE', path: `/api/v1/fragment-drafts/${'a'.repeat(32)}` },
    { method: 'GET', path: '/api/v1/fragments' },
    { method: 'DELETE', path: '/api/v1/fragments/1' },
  ];
}

describe('the transcript routes of the coordinator API', () => {
  it.each(['vera', 'sam', 'tom'])('refuses %s (volunteer, supervisor, technician) on every transcript route', async (accountId) => {
    const f = await start();
    const { reference, lineIds } = f.chat(LINES);
    const client = await loggedIn(f, accountId);
    for (const route of routes(reference, lineIds[0] ?? 1)) {
      const response = await client.send(route.method, route.path, route.body);
      expect(response.status, `${route.method} ${route.path}`).toBe(403);
      expect(response.text).not.toMatch(/Sanne|Gent/);
      expect(response.text).not.toContain(CHAT_IP);
    }
    expect(f.transcriptAudit.entries).toEqual([]);
  });

  it('asks for a session first', async () => {
    const f = await start();
    const { reference, lineIds } = f.chat(LINES);
    const client = new CoordinatorClient(f.url);
    for (const route of routes(reference, lineIds[0] ?? 1)) expect((await client.send(route.method, route.path, route.body)).status).toBe(401);
  });

  it('lets a BE coordinator list, read, see the address after the chat, and make, save and delete a fragment', async () => {
    const f = await start();
    const { reference, lineIds } = f.chat(LINES);
    const client = await loggedIn(f, 'anna');

    const list = await client.send<{ features: unknown; chats: { reference: string; lineCount: number }[] }>('GET', '/api/v1/transcripts');
    expect(list.status).toBe(200);
    expect(list.body.features).toEqual({ chatIpVisible: true, trainingFragments: true, retentionMonths: 6 });
    expect(list.body.chats.map((chat) => [chat.reference, chat.lineCount])).toEqual([[reference, 3]]);

    const lowerCase = await client.send<{ lines: { id: number; text: string; state: string }[]; addressAvailable: boolean }>('GET', `/api/v1/transcripts/${reference.toLowerCase()}`);
    expect(lowerCase.status).toBe(200);
    expect(lowerCase.body.addressAvailable).toBe(true);
    expect(lowerCase.body.lines.map((line) => line.text)).toEqual(LINES.map((line) => line.text));
    expect(lowerCase.text).not.toContain(CHAT_IP);

    const withoutCsrf = await client.send('POST', `/api/v1/transcripts/${reference}/address`, undefined, { csrf: false });
    expect(withoutCsrf.status).toBe(403);
    const address = await client.send('POST', `/api/v1/transcripts/${reference}/address`);
    expect(address.status).toBe(200);
    expect(address.body).toEqual({ reference, address: CHAT_IP });
    expect(address.headers.get('cache-control')).toBe('no-store');

    const draft = await client.send<{ draft: { id: string; text: string; replaced: Record<string, number> } }>('POST', `/api/v1/transcripts/${reference}/fragment-drafts`, { lineIds });
    expect(draft.status).toBe(201);
    expect(draft.body.draft.text).toBe(['Chatter: Hoi, ik ben Sam en ik ben leeftijd A.', 'Vrijwilliger: Fijn dat je er bent, Sam.', 'Chatter: Op school in Plaats A pesten ze me.'].join('\n'));

    const withPhone = await client.send('POST', `/api/v1/fragment-drafts/${draft.body.draft.id}/save`, { title: 'Pesten', text: `${draft.body.draft.text}\nbel 0470 12 34 56` });
    expect(withPhone.status).toBe(400);
    expect(withPhone.body).toMatchObject({ code: 'HGW_FRAGMENT_HOLDS_PII', reason: 'holds-pii', found: ['PHONE'] });
    expect(withPhone.text).not.toContain('0470');

    const saved = await client.send<{ fragment: { id: number; title: string } }>('POST', `/api/v1/fragment-drafts/${draft.body.draft.id}/save`, { title: 'Pesten', text: draft.body.draft.text });
    expect(saved.status).toBe(201);
    const fragments = await client.send<{ fragments: { id: number; title: string; savedBy: string }[] }>('GET', '/api/v1/fragments');
    expect(fragments.body.fragments.map((fragment) => [fragment.title, fragment.savedBy])).toEqual([['Pesten', 'anna']]);
    expect((await client.send('DELETE', `/api/v1/fragments/${saved.body.fragment.id}`)).status).toBe(204);
    expect((await client.send('DELETE', `/api/v1/fragments/${saved.body.fragment.id}`)).status).toBe(404);

    expect(f.transcriptAudit.actions()).toEqual(['transcript.read', 'chat-address.revealed', 'fragment.drafted', 'fragment.saved', 'fragment.deleted']);
    expect(f.logLines.join('\n')).not.toContain(CHAT_IP);
    expect(f.logLines.join('\n')).not.toMatch(/Sanne|Gent|0470/);
  });

  it('answers 409 for a chat still running, 404 for an unknown one, 400 for a malformed reference or an empty pick', async () => {
    const f = await start();
    const open = f.chat(LINES, { ended: false });
    const client = await loggedIn(f, 'anna');
    expect((await client.send('GET', `/api/v1/transcripts/${open.reference}`)).status).toBe(409);
    expect((await client.send('POST', `/api/v1/transcripts/${open.reference}/address`)).status).toBe(409);
    const unknown = await client.send('GET', '/api/v1/transcripts/ZZZ-ZZZ');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'HGW_CHAT_UNKNOWN_CHAT', reason: 'unknown-chat' });
    expect((await client.send('GET', '/api/v1/transcripts/nope')).status).toBe(400);
    expect((await client.send('POST', `/api/v1/transcripts/${open.reference}/fragment-drafts`, { lineIds: [] })).status).toBe(400);
    expect((await client.send('POST', `/api/v1/fragment-drafts/${'b'.repeat(32)}/save`, { title: 'x', text: 'y' })).status).toBe(404);
  });

  it('refuses the address and fragments to an NL coordinator, who may still read the transcript', async () => {
    const f = await start('allesoke-nl');
    const { reference, lineIds } = f.chat(LINES);
    const client = await loggedIn(f, 'anna');
    const read = await client.send<{ addressAvailable: boolean }>('GET', `/api/v1/transcripts/${reference}`);
    expect(read.status).toBe(200);
    expect(read.body.addressAvailable).toBe(false);
    const address = await client.send('POST', `/api/v1/transcripts/${reference}/address`);
    expect(address.status).toBe(403);
    expect(address.body).toMatchObject({ code: 'HGW_TRANSCRIPT_FORBIDDEN', reason: 'forbidden' });
    expect(address.text).not.toContain(CHAT_IP);
    const draft = await client.send('POST', `/api/v1/transcripts/${reference}/fragment-drafts`, { lineIds });
    expect(draft.status).toBe(403);
    expect(draft.body).toMatchObject({ code: 'HGW_FRAGMENT_FORBIDDEN' });
    expect((await client.send('GET', '/api/v1/fragments')).status).toBe(403);
  });

  it('serves no Chatgesprekken section and answers 404 where the box has no transcript desk', async () => {
    const other = await startCoordinatorFixture();
    closeOther = other.close;
    await other.accounts.createAccount('anna', 'coordinator', 'een lange wachtzin voor tests');
    const client = await loggedIn(other, 'anna');
    expect((await client.send('GET', '/api/v1/transcripts')).status).toBe(404);
    const page = await client.send('GET', '/coordinator');
    expect(page.text).not.toContain('section-transcripts');
    expect(page.text).not.toContain('coordinator-transcripts.js');
    const withDesk = await start();
    const fullPage = await new CoordinatorClient(withDesk.url).send('GET', '/coordinator');
    expect(fullPage.text).toContain('data-capability="transcripts.read"');
    expect(fullPage.text).toContain('<script src="/coordinator-transcripts.js" defer></script>');
  });
});
