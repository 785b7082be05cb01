import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { FragmentDraftView, TranscriptActor, TranscriptResult } from '../../src/transcripts/index.js';
import { DEFAULT_DRAFT_TTL_MS } from '../../src/transcripts/index.js';
import { transcriptFixture, type TranscriptFixture } from './transcript-fixture.js';

const anna: TranscriptActor = { accountId: 'anna', role: 'coordinator' };
const bram: TranscriptActor = { accountId: 'bram', role: 'coordinator' };
const LINES = [
  { author: 'caller', text: 'Hoi, ik ben Sanne en ik ben 14 jaar.' },
  { author: 'volunteer', text: 'Fijn dat je er bent, Sanne.' },
  { author: 'caller', text: 'Op school in Gent pesten ze me, sinds 12 maart.' },
  { author: 'caller', text: 'Je kan me bellen op 0470 12 34 56.' },
] as const;

let fixture: TranscriptFixture | undefined;

afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

function setUp(...args: Parameters<typeof transcriptFixture>): TranscriptFixture {
  fixture = transcriptFixture(...args);
  return fixture;
}

function drafted(result: TranscriptResult<FragmentDraftView>): FragmentDraftView {
  if (!result.ok) throw new Error(`draft refused: ${result.refusal}`);
  return result.value;
}

describe('training fragments (P9, BE)', () => {
  it('drafts picked lines with stand-ins, holds the draft in memory only, and saves the reviewed text with no link to the chat', () => {
    const f = setUp('lumi-be');
    const { reference, lineIds } = f.chat(LINES);
    const draft = drafted(f.desk.draftFragment(anna, reference, [lineIds[0] ?? 0, lineIds[2] ?? 0, lineIds[3] ?? 0]));
    expect(draft.text).toBe(['Chatter: Hoi, ik ben Sam en ik ben leeftijd A.', 'Chatter: Op school in Plaats A pesten ze me, sinds datum 1.', 'Chatter: Je kan me bellen op [verwijderd].'].join('\n'));
    expect(draft.replaced).toEqual({ names: 1, places: 1, dates: 1, ages: 1, removed: 1 });
    expect(draft.expiresAt).toBe(f.clock.now() + DEFAULT_DRAFT_TTL_MS);
    // A draft is never written: the table is empty until the coordinator saves.
    expect(f.database.get<{ n: number }>('SELECT count(*) AS n FROM training_fragments')?.n).toBe(0);

    const edited = draft.text.replace('pesten ze me', 'pesten klasgenoten me');
    const saved = f.desk.saveFragment(anna, draft.draftId, { title: '  Pesten op   school ', text: edited });
    if (!saved.ok) throw new Error(saved.message);
    expect(saved.value).toMatchObject({ title: 'Pesten op school', text: edited, savedBy: 'anna', savedAt: f.clock.now() });
    const rows = f.database.all<Record<string, unknown>>('SELECT * FROM training_fragments');
    expect(rows).toHaveLength(1);
    expect(Object.keys(rows[0] ?? {}).sort()).toEqual(['id', 'saved_at', 'saved_by', 'text', 'title']);
    expect(JSON.stringify(rows)).not.toContain(reference);

    const listed = f.desk.listFragments(anna);
    expect(listed.ok && listed.value.map((fragment) => fragment.title)).toEqual(['Pesten op school']);
    // Saved once: the draft is gone.
    expect(f.desk.saveFragment(anna, draft.draftId, { title: 'nog eens', text: edited })).toMatchObject({ ok: false, refusal: 'unknown-draft', code: 'HGW_FRAGMENT_UNKNOWN' });
  });

  it('audits drafting, saving and deleting with counts only, and no entry ties the saved fragment to its chat', () => {
    const f = setUp('lumi-be');
    const { reference, lineIds } = f.chat(LINES);
    const draft = drafted(f.desk.draftFragment(anna, reference, lineIds.slice(0, 2)));
    const saved = f.desk.saveFragment(anna, draft.draftId, { title: 'Eerste contact', text: draft.text });
    if (!saved.ok) throw new Error(saved.message);
    expect(f.desk.deleteFragment(anna, saved.value.id)).toEqual({ ok: true, value: { deleted: true } });
    const target = `fragment-${saved.value.id}`;
    expect(f.audit.entries).toEqual([
      { actorRole: 'coordinator', actorId: 'account:anna', action: 'fragment.drafted', target: reference, details: { lines: 2 } },
      { actorRole: 'coordinator', actorId: 'account:anna', action: 'fragment.saved', target, details: { length: draft.text.length, lines: 2 } },
      { actorRole: 'coordinator', actorId: 'account:anna', action: 'fragment.deleted', target, details: {} },
    ]);
    expect(JSON.stringify(f.audit.entries)).not.toMatch(/Sanne|\bSam\b|Eerste|Chatter/i);
    expect(JSON.stringify(f.audit.entries)).not.toContain(draft.draftId);
    expect(f.desk.listFragments(anna)).toEqual({ ok: true, value: [] });
    expect(f.desk.deleteFragment(anna, saved.value.id)).toMatchObject({ ok: false, refusal: 'unknown-fragment' });
  });

  it('refuses to save while a phone number, e-mail address, IP address or URL remains, naming the kinds and never the value', () => {
    const f = setUp('lumi-be');
    const { reference, lineIds } = f.chat(LINES);
    const draft = drafted(f.desk.draftFragment(anna, reference, lineIds));
    for (const [added, kind] of [
      ['bel 0470 12 34 56', 'PHONE'],
      ['mail sam@example.be', 'EMAIL'],
      ['vanaf 198.51.100.4', 'IP'],
      ['kijk op https://example.be/sam', 'URL'],
    ] as const) {
      const refused = f.desk.saveFragment(anna, draft.draftId, { title: 'Pesten', text: `${draft.text}\nChatter: ${added}` });
      expect(refused).toMatchObject({ ok: false, refusal: 'holds-pii', found: [kind] });
      expect(JSON.stringify(refused)).not.toContain(added.split(' ').at(-1));
    }
    expect(f.desk.saveFragment(anna, draft.draftId, { title: 'Bel 0470 12 34 56', text: draft.text })).toMatchObject({ ok: false, refusal: 'holds-pii', found: ['PHONE'] });
    expect(f.database.get<{ n: number }>('SELECT count(*) AS n FROM training_fragments')?.n).toBe(0);
    // The draft survives a refusal: the coordinator fixes the text and saves.
    expect(f.desk.saveFragment(anna, draft.draftId, { title: 'Pesten', text: draft.text }).ok).toBe(true);
  });

  it('refuses an empty title or text', () => {
    const f = setUp('lumi-be');
    const { reference, lineIds } = f.chat(LINES);
    const draft = drafted(f.desk.draftFragment(anna, reference, lineIds.slice(0, 1)));
    expect(f.desk.saveFragment(anna, draft.draftId, { title: '   ', text: draft.text })).toMatchObject({ ok: false, refusal: 'invalid-title' });
    expect(f.desk.saveFragment(anna, draft.draftId, { title: 'Titel', text: ' \n ' })).toMatchObject({ ok: false, refusal: 'invalid-text' });
  });

  it('forgets a draft once it expires, and keeps a draft to the coordinator who made it', () => {
    const f = setUp('lumi-be');
    const { reference, lineIds } = f.chat(LINES);
    const draft = drafted(f.desk.draftFragment(anna, reference, lineIds.slice(0, 2)));
    expect(f.desk.saveFragment(bram, draft.draftId, { title: 'Van Bram', text: draft.text })).toMatchObject({ ok: false, refusal: 'unknown-draft' });
    expect(f.desk.discardDraft(bram, draft.draftId)).toMatchObject({ ok: false, refusal: 'unknown-draft' });
    f.clock.advance(DEFAULT_DRAFT_TTL_MS - 1);
    const kept = drafted(f.desk.draftFragment(anna, reference, lineIds.slice(0, 1)));
    f.clock.advance(1);
    expect(f.desk.saveFragment(anna, draft.draftId, { title: 'Te laat', text: draft.text })).toMatchObject({ ok: false, refusal: 'unknown-draft', code: 'HGW_FRAGMENT_UNKNOWN' });
    expect(f.desk.discardDraft(anna, kept.draftId)).toEqual({ ok: true, value: { discarded: true } });
    expect(f.desk.saveFragment(anna, kept.draftId, { title: 'Weg', text: kept.text })).toMatchObject({ ok: false, refusal: 'unknown-draft' });
  });

  it('drafts only from readable lines of one closed chat', () => {
    const f = setUp('lumi-be');
    const first = f.chat(LINES);
    const second = f.chat(LINES);
    const open = f.chat(LINES, { ended: false });
    expect(f.desk.draftFragment(anna, first.reference, [...first.lineIds.slice(0, 1), ...second.lineIds.slice(0, 1)])).toMatchObject({ ok: false, refusal: 'bad-lines' });
    expect(f.desk.draftFragment(anna, first.reference, [])).toMatchObject({ ok: false, refusal: 'bad-lines', code: 'HGW_TRANSCRIPT_BAD_SPAN' });
    expect(f.desk.draftFragment(anna, open.reference, open.lineIds)).toMatchObject({ ok: false, refusal: 'chat-open' });
    expect(f.keyring.shredVaultKey('chat-transcript', '2026-01' as never)).toBe(true);
    expect(f.desk.draftFragment(anna, first.reference, first.lineIds)).toMatchObject({ ok: false, refusal: 'bad-lines' });
    expect(f.audit.entries).toEqual([]);
  });

  it('makes no fragments under the NL preset, and none for a volunteer or technician under BE', () => {
    const nl = setUp('allesoke-nl');
    const chat = nl.chat(LINES);
    expect(nl.desk.draftFragment(anna, chat.reference, chat.lineIds)).toMatchObject({ ok: false, refusal: 'forbidden', code: 'HGW_FRAGMENT_FORBIDDEN' });
    expect(nl.desk.listFragments(anna)).toMatchObject({ ok: false, code: 'HGW_FRAGMENT_FORBIDDEN' });
    nl.close();
    const be = setUp('lumi-be');
    const beChat = be.chat(LINES);
    for (const role of ['volunteer', 'technician'] as const) {
      expect(be.desk.draftFragment({ accountId: 'vera', role }, beChat.reference, beChat.lineIds)).toMatchObject({ ok: false, code: 'HGW_FRAGMENT_FORBIDDEN' });
      expect(be.desk.listFragments({ accountId: 'vera', role })).toMatchObject({ ok: false, code: 'HGW_FRAGMENT_FORBIDDEN' });
    }
  });

  it('leaves no trace of a deleted fragment in the database files', () => {
    const f = setUp('lumi-be');
    const { reference, lineIds } = f.chat(LINES);
    const draft = drafted(f.desk.draftFragment(anna, reference, lineIds.slice(0, 3)));
    const marked = `${draft.text}\nVrijwilliger: Wiebelwoord-herkenning-7.`;
    const saved = f.desk.saveFragment(anna, draft.draftId, { title: 'Herkenbaar', text: marked });
    if (!saved.ok) throw new Error(saved.message);
    f.database.checkpoint();
    const path = f.database.get<{ file: string }>('SELECT file FROM pragma_database_list WHERE name = ?', ['main'])?.file ?? '';
    expect(readFileSync(path).includes('Wiebelwoord-herkenning')).toBe(true);
    expect(f.desk.deleteFragment(anna, saved.value.id).ok).toBe(true);
    expect(readFileSync(path).includes('Wiebelwoord-herkenning')).toBe(false);
  });
});
