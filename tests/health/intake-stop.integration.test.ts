import { afterEach, describe, expect, it } from 'vitest';
import { ChatDesk, ChatTranscripts, type ChatterFrame } from '../../src/chat/index.js';
import { CALL_INSTEAD_TEXT } from '../../src/chat/chat-desk.js';
import type { StationContactView } from '../../src/contacts/contact-view.js';
import { FaultRegister, StoreFaultWatch } from '../../src/health/index.js';
import type { RaiseIncident } from '../../src/incidents/index.js';
import { silentLogger } from '../../src/log/logger.js';
import { normalizeIpAddress } from '../../src/privacy/normalize.js';
import { TranscriptsRepository } from '../../src/store/transcripts-repository.js';
import { ManualScheduler } from '../../src/time/scheduler.js';
import { presentation } from '../contacts/desk-fixture.js';
import { HELPLINE, mailFixture, type MailFixture } from '../mail/mail-fixture.js';

let fixture: MailFixture | undefined;

afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

const MAIL = { from: 'noor.peeters@example.org', to: HELPLINE, subject: 'Vraag', text: 'Hoi, ik wil iets vertellen.' };

/** The three channels of one box on one store, with the fault register and the store watch of main.ts. */
async function faultyBox() {
  const faults = new FaultRegister({ clock: { now: () => 0 }, logger: silentLogger() });
  const f = (fixture = await mailFixture({ intake: faults }));
  const { database, clock } = f.desk;
  const scheduler = new ManualScheduler(clock);
  const incidents: RaiseIncident[] = [];
  const watch = new StoreFaultWatch({
    failures: database,
    probe: () => database.transaction(() => database.run("INSERT INTO meta (key, value) VALUES ('health.probe', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [String(clock.now())])),
    faults,
    incidents: { raise: (incident) => (incidents.push(incident), { incident: {} as never, folded: false }) },
    scheduler,
    logger: silentLogger(),
  });
  watch.start();
  const chat = new ChatDesk({
    intake: f.desk.desk,
    transcripts: new ChatTranscripts({ database, transcripts: new TranscriptsRepository(database), vault: f.desk.vault, timeZone: 'Europe/Brussels' }),
    suggest: () => [],
    clock,
    scheduler,
    logger: silentLogger(),
    timeZone: 'Europe/Brussels',
    limits: { maxMessageChars: 2000, messagesPerMinute: 30, queueLimit: 50, idleMinutes: 30 },
  });
  chat.start();
  const seen: StationContactView[] = [];
  f.desk.desk.onContactChanged((view) => seen.push(view));
  const openChat = (ip: string): ChatterFrame[] => {
    const frames: ChatterFrame[] = [];
    chat.openChat(normalizeIpAddress(ip) ?? null, { deliver: (frame) => frames.push(frame), hangUp: () => undefined });
    return frames;
  };
  return { f, faults, watch, chat, scheduler, incidents, seen, openChat };
}

function storedCounts(f: MailFixture): { contacts: number; mails: number } {
  return { contacts: f.desk.contacts.count(), mails: f.mails.count() };
}

describe('a store whose writes fail', () => {
  it('stops intake cleanly on every channel, loses and damages nothing, and resumes by itself once the store writes again', async () => {
    const { f, faults, chat, scheduler, incidents, seen, openChat } = await faultyBox();
    const before = f.desk.call('0612345678');
    expect(await f.send(MAIL)).toEqual({ ok: true });
    const stored = storedCounts(f);

    // The card is remounted read-only (what the kernel does after I/O errors).
    f.desk.database.exec('PRAGMA query_only = 1');

    // Phone: the write fails, the fault is raised, the same call goes through unrecorded.
    const first = f.desk.desk.offerCall({ lineCallId: 'line-call-1', caller: presentation('0687654321'), offeredAt: f.desk.clock.now() });
    expect(first).toMatchObject({ recorded: false, callerKnown: false, priorContacts: 0, state: 'ringing', moderation: null });
    expect(faults.codes()).toEqual(['HGW_STORE_UNWRITABLE']);
    expect(faults.accepting()).toBe(false);
    // The next call does not even try to write.
    const second = f.desk.call('0612345678');
    expect(second.recorded).toBe(false);
    expect(f.desk.desk.openContacts().map((view) => view.reference)).toEqual(expect.arrayContaining([first.reference, second.reference]));
    // Answered, then ended: it leaves the stations' lists, there is nothing to wrap up.
    f.desk.desk.callAnswered('line-call-1');
    f.desk.desk.endCall('line-call-1', f.desk.clock.now());
    expect(seen.filter((view) => view.reference === first.reference).map((view) => view.state)).toEqual(['ringing', 'live', 'registered']);
    expect(f.desk.desk.openContacts().map((view) => view.reference)).not.toContain(first.reference);

    // Chat: a new chat is told the chat is unavailable and to call.
    const frames = openChat('203.0.113.7');
    expect(frames).toEqual([{ type: 'refused', reason: 'unavailable', until: null, text: CALL_INSTEAD_TEXT }]);
    expect(chat.counters()).toEqual({ queued: 0, active: 0, closed: 0 });

    // Mail: 452, so the sending server keeps the mail and tries again.
    expect(await f.send(MAIL)).toEqual({ ok: false, responseCode: 452 });

    // Nothing stored was lost or damaged.
    f.desk.database.exec('PRAGMA query_only = 0');
    expect(storedCounts(f)).toEqual(stored);
    expect(f.desk.database.quickCheck()).toBe('ok');
    expect(f.desk.contacts.findByReference(before.reference)).toMatchObject({ reference: before.reference, state: 'offered' });
    expect(incidents).toEqual([]);

    // The store writes again: the next probe clears the fault, intake resumes on every channel.
    expect(faults.accepting()).toBe(false);
    scheduler.advance(30_000);
    expect(faults.codes()).toEqual([]);
    expect(f.desk.call('0687654321')).toMatchObject({ callerKnown: true, priorContacts: 0 });
    expect(openChat('203.0.113.7')).toEqual([{ type: 'queued', position: 1 }]);
    expect(await f.send(MAIL)).toEqual({ ok: true });
    expect(storedCounts(f)).toEqual({ contacts: stored.contacts + 3, mails: stored.mails + 1 });
    chat.stop();
  });

  it('treats a full database the same: SQLITE_FULL stops intake until a probe write succeeds', async () => {
    const { f, faults, watch, incidents } = await faultyBox();
    const { database } = f.desk;
    const pages = database.get<{ page_count: number }>('PRAGMA page_count')?.page_count ?? 0;
    database.exec(`PRAGMA max_page_count = ${pages}`);
    let view: StationContactView | undefined;
    for (let i = 0; i < 200 && faults.accepting(); i++) view = f.desk.call(`06${String(20000000 + i)}`);
    expect(faults.codes()).toEqual(['HGW_STORE_UNWRITABLE']);
    expect(view?.recorded).toBe(false);
    expect(await f.send(MAIL)).toEqual({ ok: false, responseCode: 452 });
    database.exec(`PRAGMA max_page_count = ${pages * 100}`);
    expect(watch.probe()).toBe(true);
    expect(faults.accepting()).toBe(true);
    expect(incidents).toEqual([]);
  });
});
