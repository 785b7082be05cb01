import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { redactSpans } from '../../src/chat/line-redaction.js';
import type { ContactReference } from '../../src/contacts/contact-view.js';
import type { ChatView, ConversationLineView } from '../../src/contacts/conversation-view.js';
import { chatFixture, ip, RecordingChatter, type ChatFixture } from './chat-fixture.js';

let fixture: ChatFixture | undefined;

afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

function activeChatWithLine(c: ChatFixture, text: string): { reference: ContactReference; line: ConversationLineView } {
  const views: ChatView[] = [];
  const off = c.chatDesk.onChatChanged((view) => views.push(view));
  const session = c.chatDesk.openChat(ip('203.0.113.50'), new RecordingChatter());
  off();
  const reference = views[0]?.reference;
  if (!reference) throw new Error('not queued');
  if (!c.chatDesk.accept(reference, 'desk-1').ok) throw new Error('not accepted');
  session.say(text);
  const lines = c.chatDesk.lines(reference, 'desk-1');
  if (!lines.ok || !lines.value[0]) throw new Error('no line');
  return { reference, line: lines.value[0] };
}

describe('redactSpans', () => {
  it('replaces each span with its upper-cased type, or […] without one', () => {
    expect(redactSpans('ik ben Sanne uit Zwolle', [{ type: 'name', start: 7, end: 12 }, { type: '', start: 17, end: 23 }])).toEqual({
      ok: true,
      text: 'ik ben [NAME] uit […]',
    });
  });

  it('joins overlapping spans into one placeholder and keeps touching spans apart', () => {
    expect(redactSpans('abcdefgh', [{ type: 'A', start: 0, end: 4 }, { type: 'B', start: 2, end: 6 }])).toEqual({ ok: true, text: '[…]gh' });
    expect(redactSpans('abcdefgh', [{ type: 'A', start: 0, end: 4 }, { type: 'A', start: 4, end: 8 }])).toEqual({ ok: true, text: '[A][A]' });
  });

  it('refuses spans outside the line, empty spans, spans that split a surrogate pair and odd type names', () => {
    const text = 'hoi 😀 daar';
    expect(redactSpans(text, [{ type: 'X', start: 0, end: 99 }]).ok).toBe(false);
    expect(redactSpans(text, [{ type: 'X', start: -1, end: 2 }]).ok).toBe(false);
    expect(redactSpans(text, [{ type: 'X', start: 3, end: 3 }]).ok).toBe(false);
    expect(redactSpans(text, [{ type: 'X', start: 1.5, end: 3 }]).ok).toBe(false);
    expect(redactSpans(text, [{ type: 'X', start: 5, end: 7 }]).ok).toBe(false);
    expect(redactSpans(text, [{ type: 'X', start: 4, end: 5 }]).ok).toBe(false);
    expect(redactSpans(text, [{ type: '<b>', start: 0, end: 3 }]).ok).toBe(false);
    expect(redactSpans(text, []).ok).toBe(false);
    expect(redactSpans(text, [{ type: 'EMOJI', start: 4, end: 6 }])).toEqual({ ok: true, text: 'hoi [EMOJI] daar' });
  });
});

describe('redacting a chat line', () => {
  it('answers a bad span with HGW_TRANSCRIPT_BAD_SPAN and leaves the line as it was', () => {
    const c = (fixture = chatFixture());
    const { reference, line } = activeChatWithLine(c, 'ik woon in Zwolle');
    const result = c.chatDesk.redact(reference, 'desk-1', line.id, [{ type: 'PLACE', start: 11, end: 40 }]);
    expect(result).toMatchObject({ ok: false, code: 'HGW_TRANSCRIPT_BAD_SPAN' });
    expect(c.chatDesk.lines(reference, 'desk-1')).toMatchObject({ ok: true, value: [{ text: 'ik woon in Zwolle', redacted: false }] });
  });

  it('refuses a redaction from a station that did not take the chat', () => {
    const c = (fixture = chatFixture());
    const { reference, line } = activeChatWithLine(c, 'ik woon in Zwolle');
    expect(c.chatDesk.redact(reference, 'desk-2', line.id, [{ type: 'PLACE', start: 11, end: 17 }])).toMatchObject({ ok: false, code: 'HGW_CHAT_INVALID_STATE' });
  });

  it('replaces the stored text for good: the sealed row holds the redacted text and the old ciphertext is in neither the database nor its -wal', () => {
    const c = (fixture = chatFixture());
    const { reference, line } = activeChatWithLine(c, 'ik zit op het Thorbecke College in Zwolle');
    const before = c.repository.lineById(line.id);
    if (!before?.sealedText) throw new Error('line not stored');
    const oldCiphertext = Buffer.from(before.sealedText);
    const told: ConversationLineView[] = [];
    c.chatDesk.onChatLine((_reference, _station, changed) => told.push(changed));

    const result = c.chatDesk.redact(reference, 'desk-1', line.id, [{ type: 'SCHOOL', start: 14, end: 31 }, { type: 'PLACE', start: 35, end: 41 }]);

    expect(result).toMatchObject({ ok: true, value: { id: line.id, text: 'ik zit op het [SCHOOL] in [PLACE]', redacted: true } });
    expect(told).toMatchObject([{ id: line.id, redacted: true, text: 'ik zit op het [SCHOOL] in [PLACE]' }]);
    const after = c.repository.lineById(line.id);
    if (!after?.sealedText) throw new Error('line gone');
    expect(c.f.vault.unsealText(after.sealedText, after.sealedEpoch)).toBe('ik zit op het [SCHOOL] in [PLACE]');
    expect(after.redactedAt).toBe(c.f.clock.now());

    const path = c.f.database.path;
    const files = [path, `${path}-wal`].filter((file) => existsSync(file));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const bytes = readFileSync(file);
      expect(bytes.indexOf(oldCiphertext.subarray(24, 56)), file).toBe(-1);
      expect(bytes.indexOf(Buffer.from('Thorbecke')), file).toBe(-1);
    }
  });

  it('redacts what stands now: a second redaction counts offsets in the already redacted text', () => {
    const c = (fixture = chatFixture());
    const { reference, line } = activeChatWithLine(c, 'Sanne en Piet');
    expect(c.chatDesk.redact(reference, 'desk-1', line.id, [{ type: 'NAME', start: 0, end: 5 }]).ok).toBe(true);
    expect(c.chatDesk.redact(reference, 'desk-1', line.id, [{ type: 'NAME', start: 10, end: 14 }])).toMatchObject({ ok: true, value: { text: '[NAME] en [NAME]' } });
  });

  it('answers a line of another chat with HGW_CHAT_UNKNOWN_CHAT', () => {
    const c = (fixture = chatFixture());
    const { reference, line } = activeChatWithLine(c, 'eerste chat');
    expect(c.chatDesk.redact(reference, 'desk-1', line.id + 1000, [{ type: 'X', start: 0, end: 3 }])).toMatchObject({ ok: false, code: 'HGW_CHAT_UNKNOWN_CHAT' });
  });
});
