import { afterEach, describe, expect, it } from 'vitest';
import type { ChatView } from '../../src/contacts/conversation-view.js';
import type { ContactReference } from '../../src/contacts/contact-view.js';
import { chatFixture, ip, RecordingChatter, type ChatFixture } from './chat-fixture.js';

let fixture: ChatFixture | undefined;

afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

function open(c: ChatFixture, address = '203.0.113.7'): { chatter: RecordingChatter; session: ReturnType<ChatFixture['chatDesk']['openChat']>; reference: ContactReference } {
  const chatter = new RecordingChatter();
  const seen: ChatView[] = [];
  const off = c.chatDesk.onChatChanged((view) => seen.push(view));
  const session = c.chatDesk.openChat(ip(address), chatter);
  off();
  const reference = seen[0]?.reference;
  if (!reference) throw new Error('the chat was not queued');
  return { chatter, session, reference };
}

function valueOf<T>(result: { ok: true; value: T } | { ok: false; code: string; message: string }): T {
  if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
  return result.value;
}

describe('the chat queue', () => {
  it('queues chats first in, first out and tells every waiting chatter its new place when one ahead is taken', () => {
    const c = (fixture = chatFixture());
    const first = open(c, '203.0.113.1');
    const second = open(c, '203.0.113.2');
    const third = open(c, '203.0.113.3');
    expect(first.chatter.frames).toEqual([{ type: 'queued', position: 1 }]);
    expect(third.chatter.frames).toEqual([{ type: 'queued', position: 3 }]);
    expect(c.chatDesk.chats('desk-1').map((chat) => [chat.reference, chat.queuePosition])).toEqual([
      [first.reference, 1],
      [second.reference, 2],
      [third.reference, 3],
    ]);

    const changes: ChatView[] = [];
    c.chatDesk.onChatChanged((view) => changes.push(view));
    valueOf(c.chatDesk.accept(first.reference, 'desk-1'));

    expect(first.chatter.last).toEqual({ type: 'connected' });
    expect(second.chatter.last).toEqual({ type: 'queued', position: 1 });
    expect(third.chatter.last).toEqual({ type: 'queued', position: 2 });
    expect(changes.map((view) => [view.reference, view.state, view.queuePosition])).toEqual([
      [first.reference, 'active', null],
      [second.reference, 'queued', 1],
      [third.reference, 'queued', 2],
    ]);

    second.session.leave();
    expect(third.chatter.last).toEqual({ type: 'queued', position: 1 });
    expect(c.chatDesk.chats('desk-2').map((chat) => chat.reference)).toEqual([third.reference]);
  });

  it('lets the first station that accepts take the chat and refuses the second with HGW_CHAT_INVALID_STATE', () => {
    const c = (fixture = chatFixture());
    const { chatter, reference } = open(c);
    const taken = valueOf(c.chatDesk.accept(reference, 'desk-1'));
    const late = c.chatDesk.accept(reference, 'desk-2');

    expect(taken).toMatchObject({ state: 'active', stationId: 'desk-1', queuePosition: null });
    expect(late).toMatchObject({ ok: false, code: 'HGW_CHAT_INVALID_STATE' });
    expect(chatter.ofType('connected')).toHaveLength(1);
    expect(c.f.desk.openContacts().find((contact) => contact.reference === reference)?.state).toBe('live');
    expect(c.chatDesk.chats('desk-2')).toEqual([]);
    expect(valueOf(c.chatDesk.lines(reference, 'desk-2'))).toEqual([]);
    expect(c.chatDesk.send(reference, 'desk-2', 'hallo')).toMatchObject({ ok: false, code: 'HGW_CHAT_INVALID_STATE' });
  });

  it('answers a full queue with HGW_CHAT_QUEUE_FULL and stores nothing', () => {
    const c = (fixture = chatFixture());
    for (const n of [1, 2, 3]) open(c, `203.0.113.${n}`);
    const contactsBefore = c.f.contacts.count();
    const chatter = new RecordingChatter();
    c.chatDesk.openChat(ip('203.0.113.9'), chatter);

    expect(chatter.frames).toEqual([{ type: 'error', code: 'HGW_CHAT_QUEUE_FULL', message: expect.stringContaining('wachtrij is vol') }]);
    expect(chatter.hungUp).toBe(true);
    expect(c.f.contacts.count()).toBe(contactsBefore);
  });

  it('answers an unknown reference with HGW_CHAT_UNKNOWN_CHAT', () => {
    const c = (fixture = chatFixture());
    const nobody = 'no-such-chat' as ContactReference;
    expect(c.chatDesk.accept(nobody, 'desk-1')).toMatchObject({ ok: false, code: 'HGW_CHAT_UNKNOWN_CHAT' });
    expect(c.chatDesk.lines(nobody, 'desk-1')).toMatchObject({ ok: false, code: 'HGW_CHAT_UNKNOWN_CHAT' });
    expect(c.chatDesk.close(nobody, 'desk-1')).toMatchObject({ ok: false, code: 'HGW_CHAT_UNKNOWN_CHAT' });
  });
});

describe('moderation at the start of a chat', () => {
  it('tells a chatter under a Time Out, in Dutch, until when in Amsterdam time, and ends the chat without queueing it', () => {
    const c = (fixture = chatFixture(new Date('2026-05-12T08:00:00Z')));
    const earlier = open(c, '198.51.100.20');
    valueOf(c.chatDesk.accept(earlier.reference, 'desk-1'));
    const timeOut = c.f.desk.giveTimeOut(earlier.reference, 'desk-1');
    expect(timeOut.ok).toBe(true);
    valueOf(c.chatDesk.close(earlier.reference, 'desk-1'));

    c.f.clock.advance(5 * 60_000);
    const chatter = new RecordingChatter();
    const changes: ChatView[] = [];
    c.chatDesk.onChatChanged((view) => changes.push(view));
    c.chatDesk.openChat(ip('198.51.100.20'), chatter);

    // 24 hours from 10:00 summer time on Tuesday 12 May.
    expect(chatter.frames).toEqual([
      {
        type: 'refused',
        reason: 'time-out',
        until: Date.parse('2026-05-13T08:00:00Z'),
        text: 'Je hebt een Time Out tot woensdag 13 mei 2026 om 10:00. Je kunt daarna weer chatten.',
      },
    ]);
    expect(chatter.hungUp).toBe(true);
    expect(changes).toEqual([]);
    expect(c.chatDesk.chats('desk-2')).toEqual([]);
    // Recorded like any contact (the volunteer may see it), and ended at once.
    const refusedContact = c.f.desk.openContacts().at(-1);
    expect(refusedContact).toMatchObject({ channel: 'chat', state: 'ended', moderation: { kind: 'time-out' } });
  });

  it('tells a blocked chatter the local date and time the block ends, in winter time', () => {
    const until = Date.parse('2027-03-01T13:00:00Z');
    const c = (fixture = chatFixture(new Date('2026-12-01T09:00:00Z'), {
      intake: (real) => ({
        offerContact: (offer) => {
          const offered = real.offerContact(offer);
          return { ...offered, view: { ...offered.view, moderation: { kind: 'blocked', until } } };
        },
        callAnswered: (key) => real.callAnswered(key),
        endCall: (key, at) => real.endCall(key, at),
        onContactChanged: (listener) => real.onContactChanged(listener),
      }),
    }));
    const chatter = new RecordingChatter();
    c.chatDesk.openChat(ip('198.51.100.21'), chatter);
    expect(chatter.frames).toEqual([
      { type: 'refused', reason: 'blocked', until, text: 'Je bent geblokkeerd tot maandag 1 maart 2027 om 14:00. Je kunt daarna weer chatten.' },
    ]);
    expect(chatter.hungUp).toBe(true);
  });

  it('puts a chat through, with the status on its view, when a failed lookup is configured to route', () => {
    const c = (fixture = chatFixture(new Date('2026-05-12T08:00:00Z'), {
      intake: (real) => ({
        offerContact: (offer) => {
          const offered = real.offerContact(offer);
          return { ...offered, view: { ...offered.view, moderation: { kind: 'unknown', routing: 'route' } } };
        },
        callAnswered: (key) => real.callAnswered(key),
        endCall: (key, at) => real.endCall(key, at),
        onContactChanged: (listener) => real.onContactChanged(listener),
      }),
    }));
    const { chatter } = open(c);
    expect(chatter.frames).toEqual([{ type: 'queued', position: 1 }]);
    expect(c.chatDesk.chats('desk-1')[0]?.moderation).toEqual({ kind: 'unknown', routing: 'route' });
  });
});

describe('the end of a chat', () => {
  it('ends a chat whose chatter stays silent for idleMinutes, tells the chatter, and ends the contact', () => {
    const c = (fixture = chatFixture());
    const { chatter, session, reference } = open(c);
    valueOf(c.chatDesk.accept(reference, 'desk-1'));
    c.scheduler.advance(20 * 60_000);
    session.say('ben er nog');
    c.scheduler.advance(29 * 60_000);
    expect(chatter.hungUp).toBe(false);

    c.scheduler.advance(60_000);
    expect(chatter.last).toEqual({ type: 'ended', reason: 'idle' });
    expect(chatter.hungUp).toBe(true);
    expect(c.chatDesk.chats('desk-1')).toMatchObject([{ reference, state: 'closed', stationId: 'desk-1' }]);
    expect(c.f.desk.openContacts().find((contact) => contact.reference === reference)?.state).toBe('ended');
  });

  it('ends a waiting chat after idleMinutes of silence and drops it from the queue', () => {
    const c = (fixture = chatFixture());
    const { chatter } = open(c);
    c.scheduler.advance(30 * 60_000);
    expect(chatter.last).toEqual({ type: 'ended', reason: 'idle' });
    expect(c.chatDesk.chats('desk-1')).toEqual([]);
  });

  it('keeps a closed chat listed for its station until the contact is registered by the wrap-up', () => {
    const c = (fixture = chatFixture());
    const { chatter, reference } = open(c);
    valueOf(c.chatDesk.accept(reference, 'desk-1'));
    const closed = valueOf(c.chatDesk.close(reference, 'desk-1'));
    expect(closed).toMatchObject({ state: 'closed', stationId: 'desk-1' });
    expect(chatter.last).toEqual({ type: 'ended', reason: 'volunteer' });
    expect(chatter.hungUp).toBe(true);
    expect(c.chatDesk.chats('desk-1').map((chat) => chat.reference)).toEqual([reference]);
    expect(c.chatDesk.chats('desk-2')).toEqual([]);

    const wrapped = c.f.desk.wrapUp(reference, { ageBand: '12-14', topic: 'school', outcome: 'conversation' }, 'desk-1');
    expect(wrapped.ok).toBe(true);
    expect(c.chatDesk.chats('desk-1')).toEqual([]);
    expect(c.chatDesk.lines(reference, 'desk-1')).toMatchObject({ ok: false, code: 'HGW_CHAT_UNKNOWN_CHAT' });
  });

  it('refuses a wrap-up while the chat is still going on', () => {
    const c = (fixture = chatFixture());
    const { reference } = open(c);
    valueOf(c.chatDesk.accept(reference, 'desk-1'));
    expect(c.f.desk.wrapUp(reference, { ageBand: '12-14', topic: 'school', outcome: 'conversation' }, 'desk-1').ok).toBe(false);
  });
});

describe('lines', () => {
  it('stores each line sealed before the station or the chatter is told of it', () => {
    const c = (fixture = chatFixture());
    const { chatter, session, reference } = open(c);
    valueOf(c.chatDesk.accept(reference, 'desk-1'));
    const storedWhenTold: Array<string | undefined> = [];
    const storedText = (id: number): string | undefined => {
      const row = c.repository.lineById(id);
      return row?.sealedText ? c.f.vault.unsealText(row.sealedText, row.sealedEpoch) : undefined;
    };
    c.chatDesk.onChatLine((_reference, _station, line) => storedWhenTold.push(storedText(line.id)));
    chatter.onDeliver = (frame) => {
      if (frame.type !== 'message' && frame.type !== 'sent') return;
      const newest = c.repository.linesOf(c.f.contacts.findByReference(reference)?.id ?? -1).at(-1);
      storedWhenTold.push(newest?.sealedText ? c.f.vault.unsealText(newest.sealedText, newest.sealedEpoch) : undefined);
    };

    session.say('ik wil iets vertellen');
    valueOf(c.chatDesk.send(reference, 'desk-1', 'vertel maar'));

    expect(storedWhenTold).toEqual(['ik wil iets vertellen', 'ik wil iets vertellen', 'vertel maar', 'vertel maar']);
    expect(valueOf(c.chatDesk.lines(reference, 'desk-1')).map((line) => [line.author, line.text])).toEqual([
      ['caller', 'ik wil iets vertellen'],
      ['volunteer', 'vertel maar'],
    ]);
  });

  it('keeps what a chatter writes while waiting and shows it to the station that takes the chat', () => {
    const c = (fixture = chatFixture());
    const { chatter, session, reference } = open(c);
    const told: string[] = [];
    c.chatDesk.onChatLine((_reference, _station, line) => told.push(line.text));
    session.say('is er iemand?');
    expect(told).toEqual([]);
    expect(chatter.ofType('sent')).toMatchObject([{ text: 'is er iemand?' }]);
    valueOf(c.chatDesk.accept(reference, 'desk-1'));
    expect(valueOf(c.chatDesk.lines(reference, 'desk-1')).map((line) => line.text)).toEqual(['is er iemand?']);
  });

  it('gives PII suggestions on the caller lines only', () => {
    const c = (fixture = chatFixture(undefined, {
      suggest: (text) => {
        const at = text.indexOf('Sanne');
        return at === -1 ? [] : [{ type: 'NAME', start: at, end: at + 5 }];
      },
    }));
    const { session, reference } = open(c);
    valueOf(c.chatDesk.accept(reference, 'desk-1'));
    const lines: Array<{ author: string; suggestions: readonly unknown[] }> = [];
    c.chatDesk.onChatLine((_reference, _station, line) => lines.push(line));
    session.say('ik ben Sanne');
    valueOf(c.chatDesk.send(reference, 'desk-1', 'hoi Sanne'));
    expect(lines).toEqual([
      expect.objectContaining({ author: 'caller', suggestions: [{ type: 'NAME', start: 7, end: 12 }] }),
      expect.objectContaining({ author: 'volunteer', suggestions: [] }),
    ]);
  });

  it('refuses a message past messagesPerMinute with HGW_CHAT_FLOOD and keeps the chat open', () => {
    const c = (fixture = chatFixture());
    const { chatter, session, reference } = open(c);
    valueOf(c.chatDesk.accept(reference, 'desk-1'));
    for (let n = 0; n < 6; n++) session.say(`bericht ${n}`);
    expect(chatter.ofType('sent')).toHaveLength(5);
    expect(chatter.last).toMatchObject({ type: 'error', code: 'HGW_CHAT_FLOOD' });
    c.scheduler.advance(60_000);
    session.say('weer rustig');
    expect(chatter.last).toMatchObject({ type: 'sent', text: 'weer rustig' });
    expect(chatter.hungUp).toBe(false);
  });

  it('refuses a message over maxMessageChars with HGW_CHAT_TOO_LARGE on both sides and stores nothing', () => {
    const c = (fixture = chatFixture());
    const { chatter, session, reference } = open(c);
    valueOf(c.chatDesk.accept(reference, 'desk-1'));
    session.say('x'.repeat(201));
    expect(chatter.last).toMatchObject({ type: 'error', code: 'HGW_CHAT_TOO_LARGE' });
    expect(c.chatDesk.send(reference, 'desk-1', 'y'.repeat(201))).toMatchObject({ ok: false, code: 'HGW_CHAT_TOO_LARGE' });
    expect(c.repository.count()).toBe(0);
  });
});
