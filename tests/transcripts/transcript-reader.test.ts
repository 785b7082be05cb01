import { afterEach, describe, expect, it } from 'vitest';
import type { Role } from '../../src/accounts/index.js';
import type { TranscriptActor } from '../../src/transcripts/index.js';
import { CHAT_IP, MINUTE, transcriptFixture, type TranscriptFixture } from './transcript-fixture.js';

const anna: TranscriptActor = { accountId: 'anna', role: 'coordinator' };
const DAY = 24 * 60 * MINUTE;
const LINES = [
  { author: 'caller', text: 'Hoi, ik ben Sanne en ik ben 14 jaar.' },
  { author: 'volunteer', text: 'Fijn dat je er bent, Sanne. Wat is er gebeurd?' },
  { author: 'caller', text: 'Op school in Gent pesten ze me.' },
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

/** Everything a test can see outside the revealed value: audit entries and log lines. */
function traces(f: TranscriptFixture): string {
  return JSON.stringify(f.audit.entries) + f.logLines.join('\n');
}

describe('reading closed chats on the coordinator side (P8)', () => {
  it('lets a BE coordinator read a closed chat line by line, and audits the read with counts only', () => {
    const f = setUp('lumi-be');
    const { reference } = f.chat(LINES);
    const read = f.desk.readChat(anna, reference);
    if (!read.ok) throw new Error(read.message);
    expect(read.value.lines.map((line) => [line.author, line.text, line.state, line.redacted])).toEqual(LINES.map((line) => [line.author, line.text, 'readable', false]));
    expect(read.value.chat).toMatchObject({ reference, lineCount: 3 });
    expect(read.value.addressAvailable).toBe(true);
    expect(f.audit.entries).toEqual([{ actorRole: 'coordinator', actorId: 'account:anna', action: 'transcript.read', target: reference, details: { lines: 3, unreadable: 0 } }]);
    expect(traces(f)).not.toMatch(/Sanne|Gent|pesten/);
  });

  it('lists closed chats within retention with reference, times and line count, and nothing of an open chat or one past retention', () => {
    const f = setUp('lumi-be');
    const old = f.chat(LINES);
    f.clock.advance(5 * 31 * DAY);
    const recent = f.chat(LINES.slice(0, 2));
    f.chat(LINES, { ended: false });
    const listed = f.desk.listChats(anna);
    if (!listed.ok) throw new Error(listed.message);
    expect(listed.value.map((chat) => [chat.reference, chat.lineCount])).toEqual([
      [recent.reference, 2],
      [old.reference, 3],
    ]);
    expect(Object.keys(listed.value[0] ?? {}).sort()).toEqual(['endedAt', 'lineCount', 'openedAt', 'reference']);

    // Seven months on, the January chat is past "maximum zes maanden", whatever keys remain.
    f.clock.advance(2 * 31 * DAY);
    const later = f.desk.listChats(anna);
    expect(later.ok && later.value.map((chat) => chat.reference)).toEqual([recent.reference]);
    const refused = f.desk.readChat(anna, old.reference);
    expect(refused).toMatchObject({ ok: false, refusal: 'outside-retention', code: 'HGW_KEY_SHREDDED' });
  });

  it('refuses to read a chat that has not ended, and a phone call or an unknown reference as no chat', () => {
    const f = setUp('lumi-be');
    const open = f.chat(LINES, { ended: false });
    expect(f.desk.readChat(anna, open.reference)).toMatchObject({ ok: false, refusal: 'chat-open', code: 'HGW_CHAT_INVALID_STATE' });
    const call = f.contacts.insert({ reference: 'PHN-222' as never, channel: 'phone', presentation: 'withheld', linkEpoch: null, pseudonym: null, sealedEpoch: null, sealedIdentifier: null, openedAt: f.clock.now() });
    if (call === undefined) throw new Error('reference taken');
    f.contacts.markEnded(call, f.clock.now());
    expect(f.desk.readChat(anna, 'PHN-222')).toMatchObject({ ok: false, refusal: 'unknown-chat', code: 'HGW_CHAT_UNKNOWN_CHAT' });
    expect(f.desk.readChat(anna, 'ZZZ-ZZZ')).toMatchObject({ ok: false, refusal: 'unknown-chat' });
    expect(f.desk.readChat(anna, 'not a reference')).toMatchObject({ ok: false, refusal: 'unknown-chat' });
    expect(f.audit.entries).toEqual([]);
  });

  it.each<Role>(['volunteer', 'supervisor', 'technician'])('never lets a %s list, read or see an address', (role) => {
    const f = setUp('lumi-be');
    const { reference } = f.chat(LINES);
    const actor: TranscriptActor = { accountId: 'vera', role };
    for (const result of [f.desk.listChats(actor), f.desk.readChat(actor, reference), f.desk.revealAddress(actor, reference)]) {
      expect(result).toMatchObject({ ok: false, refusal: 'forbidden', code: 'HGW_TRANSCRIPT_FORBIDDEN' });
    }
    expect(f.audit.entries).toEqual([]);
  });

  it("refuses even a coordinator where the preset's transcriptReaders is 'nobody'", () => {
    const f = setUp('allesoke-nl', { transcriptReaders: 'nobody' });
    const { reference } = f.chat(LINES);
    expect(f.desk.listChats(anna)).toMatchObject({ ok: false, code: 'HGW_TRANSCRIPT_FORBIDDEN' });
    expect(f.desk.readChat(anna, reference)).toMatchObject({ ok: false, code: 'HGW_TRANSCRIPT_FORBIDDEN' });
  });

  it('says which lines can no longer be read once their month key is shredded', () => {
    // Opened late on 31 January in Brussels: the last lines are written in February.
    const f = setUp('lumi-be', {}, new Date('2026-01-31T22:57:00Z'));
    const { reference } = f.chat([...LINES, { author: 'volunteer', text: 'Dat is heel vervelend.' }]);
    f.clock.set(new Date('2026-02-10T10:00:00Z'));
    expect(f.keyring.shredVaultKey('chat-transcript', '2026-01' as never)).toBe(true);
    const read = f.desk.readChat(anna, reference);
    if (!read.ok) throw new Error(read.message);
    expect(read.value.lines.map((line) => [line.state, line.text])).toEqual([
      ['shredded', null],
      ['shredded', null],
      ['readable', 'Op school in Gent pesten ze me.'],
      ['readable', 'Dat is heel vervelend.'],
    ]);
    expect(f.audit.entries[0]?.details).toEqual({ lines: 4, unreadable: 2 });
  });
});

describe("a chat's IP address for coordinators (P6)", () => {
  it('shows a BE coordinator the address only once the chat has ended, audited, and never in a log line or audit entry', () => {
    const f = setUp('lumi-be');
    const { reference, contactId } = f.chat(LINES, { ended: false });
    expect(f.desk.revealAddress(anna, reference)).toMatchObject({ ok: false, refusal: 'chat-open' });
    f.contacts.markEnded(contactId, f.clock.now());
    const revealed = f.desk.revealAddress(anna, reference);
    expect(revealed).toEqual({ ok: true, value: { reference, address: CHAT_IP } });
    expect(f.audit.entries).toEqual([{ actorRole: 'coordinator', actorId: 'account:anna', action: 'chat-address.revealed', target: reference, details: { dataClass: 'chat-ip' } }]);
    expect(traces(f)).not.toContain(CHAT_IP);
    expect(traces(f)).not.toContain('203');
  });

  it('refuses the address under the NL preset, even to a coordinator who may read the transcript', () => {
    const f = setUp('allesoke-nl');
    const { reference } = f.chat(LINES);
    const read = f.desk.readChat(anna, reference);
    expect(read.ok && read.value.addressAvailable).toBe(false);
    const refused = f.desk.revealAddress(anna, reference);
    expect(refused).toMatchObject({ ok: false, refusal: 'forbidden', code: 'HGW_TRANSCRIPT_FORBIDDEN' });
    expect(JSON.stringify(refused)).not.toContain(CHAT_IP);
    expect(f.audit.actions()).toEqual(['transcript.read']);
  });

  it("refuses the address once its month's chat-ip key is shredded or the month is past retention", () => {
    const f = setUp('lumi-be');
    const shredded = f.chat(LINES);
    const pastRetention = f.chat(LINES);
    expect(f.keyring.shredVaultKey('chat-ip', '2026-01' as never)).toBe(true);
    expect(f.desk.revealAddress(anna, shredded.reference)).toMatchObject({ ok: false, refusal: 'outside-retention', code: 'HGW_KEY_SHREDDED' });
    f.clock.advance(200 * DAY);
    expect(f.desk.revealAddress(anna, pastRetention.reference)).toMatchObject({ ok: false, refusal: 'outside-retention' });
    expect(f.audit.entries).toEqual([]);
  });

  it('says when a chat arrived without an address', () => {
    const f = setUp('lumi-be');
    const { reference } = f.chat(LINES, { ip: null });
    const read = f.desk.readChat(anna, reference);
    expect(read.ok && read.value.addressAvailable).toBe(false);
    expect(f.desk.revealAddress(anna, reference)).toMatchObject({ ok: false, refusal: 'no-address', code: 'HGW_CHAT_NO_ADDRESS' });
  });
});
