import { afterEach, describe, expect, it } from 'vitest';
import { mayRoute } from '../../src/contacts/contact-view.js';
import type { ContactReference } from '../../src/contacts/contact-view.js';
import { silentLogger } from '../../src/log/logger.js';
import { DOMAIN, HELPLINE, mailDeskOver, mailFixture, rawMail, relayedCount, type MailFixture } from './mail-fixture.js';

let fixture: MailFixture | undefined;

afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

const SENDER = 'noor.peeters@example.org';
const SECRET_LINE = 'Mijn stiefvader slaat mij en niemand mag dit weten.';

function mailFrom(from: string, extra: Record<string, string> = {}) {
  return { from, to: HELPLINE, subject: 'Thuis', text: SECRET_LINE, headers: extra };
}

async function onlyThread(f: MailFixture): Promise<ContactReference> {
  const threads = f.mailDesk.threads();
  expect(threads).toHaveLength(1);
  return threads[0]!.reference;
}

describe('the automatic confirmation', () => {
  it('goes to the sender through the relay, says the mail arrived and warns about using someone else’s address, without quoting the mail', async () => {
    const f = (fixture = await mailFixture());
    await f.send(mailFrom(SENDER));
    await relayedCount(f, 1);
    const [confirmation] = f.relay.received;
    expect(confirmation!.envelopeTo).toEqual([SENDER]);
    expect(confirmation!.envelopeFrom).toBe(HELPLINE);
    expect(confirmation!.parsed.headers.get('auto-submitted')).toBe('auto-replied');
    const text = confirmation!.parsed.text ?? '';
    expect(text).toContain('goed bij ons aangekomen');
    expect(text).toContain('ouders');
    expect(text).toContain('nieuw e-mailadres');
    expect(text).toContain('anonimiteit');
    expect(text).toContain('Op het einde van het jaar worden alle mails gewist.');
    const whole = confirmation!.raw.toString('utf8');
    expect(whole).not.toContain('stiefvader');
    expect(whole).not.toContain('Thuis');
    expect(confirmation!.parsed.messageId).toMatch(new RegExp(`@${DOMAIN.replace(/\./g, '\\.')}>$`));
  });

  it('is not sent to auto-submitted, bulk or list mail, nor to MAILER-DAEMON or a bounce', async () => {
    const f = (fixture = await mailFixture());
    await f.send(mailFrom('a@example.org', { 'Auto-Submitted': 'auto-replied' }));
    await f.send(mailFrom('b@example.org', { Precedence: 'bulk' }));
    await f.send(mailFrom('c@example.org', { 'List-Id': '<nieuws.example.org>' }));
    await f.send(mailFrom('MAILER-DAEMON@example.org'));
    await f.send({ envelope: { from: '', to: [HELPLINE] }, raw: rawMail('From: d@example.org', `To: ${HELPLINE}`, 'Subject: x', '', 'Undeliverable') });
    expect(f.mails.count()).toBe(5);
    await f.mailDesk.idle();
    expect(f.relay.received).toEqual([]);
    await f.send(mailFrom('e@example.org', { 'Auto-Submitted': 'no' }));
    await relayedCount(f, 1);
  });

  it('goes to one sender at most once an hour', async () => {
    const f = (fixture = await mailFixture());
    await f.send(mailFrom(SENDER));
    await f.send(mailFrom(SENDER.toUpperCase()));
    await relayedCount(f, 1);
    expect(f.relay.received).toHaveLength(1);
    f.desk.clock.advance(60 * 60 * 1000 + 1);
    await f.send(mailFrom(SENDER));
    await relayedCount(f, 2);
  });

  it('tells a sender under a Time Out so and until when, and offers the mail to no volunteer', async () => {
    const f = (fixture = await mailFixture());
    await f.send(mailFrom(SENDER));
    const reference = await onlyThread(f);
    f.mailDesk.open(reference, 'desk-1');
    const given = f.desk.desk.giveTimeOut(reference, 'desk-1');
    expect(given.ok).toBe(true);
    f.mailDesk.close(reference, 'desk-1');
    f.desk.clock.advance(2 * 60 * 60 * 1000);
    const stationViews: Array<{ channel: string; state: string; moderation?: unknown }> = [];
    f.desk.desk.onContactChanged((view) => stationViews.push(view));
    await f.send(mailFrom(SENDER));
    await relayedCount(f, 2);
    expect(f.mailDesk.threads()).toEqual([]);
    expect(f.mails.count()).toBe(1);
    const text = f.relay.received[1]!.parsed.text ?? '';
    expect(text).toMatch(/Je hebt een Time Out tot \w+ \d+ \w+ 2026 om \d\d:\d\d\./);
    expect(text).toContain('ouders');
    expect(text).not.toContain('stiefvader');
    const last = stationViews.at(-1)!;
    expect(last).toMatchObject({ channel: 'mail', state: 'ended' });
    expect(mayRoute(last.moderation as never)).toBe(false);
  });
});

describe('a volunteer answering', () => {
  it('reads the mail as text with suggestions, answers to the sender with In-Reply-To threading, and the sender never shows', async () => {
    const f = (fixture = await mailFixture({ suggest: (text) => (text.includes('stiefvader') ? [{ type: 'FAMILY', start: 5, end: 16 }] : []) }));
    await f.send({ ...mailFrom(SENDER), messageId: '<vraag-1@example.org>' });
    const reference = await onlyThread(f);
    expect(f.mailDesk.open(reference, 'desk-1')).toMatchObject({ ok: true, value: { state: 'open', stationId: 'desk-1' } });
    const messages = f.mailDesk.messages(reference, 'desk-1');
    expect(messages).toMatchObject({ ok: true, value: [{ direction: 'in', subject: 'Thuis', text: SECRET_LINE, delivered: true, suggestions: [{ type: 'FAMILY' }] }] });
    expect(JSON.stringify(messages)).not.toContain('noor');
    const answered = await f.mailDesk.answer(reference, 'desk-1', 'Dank je voor je mail. We willen je graag helpen.');
    expect(answered).toMatchObject({ ok: true, value: { direction: 'out', delivered: true, suggestions: [] } });
    await relayedCount(f, 2);
    const answer = f.relay.received.find((mail) => mail.parsed.inReplyTo === '<vraag-1@example.org>' && !mail.parsed.headers.has('auto-submitted'));
    expect(answer).toBeDefined();
    expect(answer!.envelopeTo).toEqual([SENDER]);
    expect(answer!.parsed.subject).toBe('Re: Thuis');
    expect(answer!.parsed.references).toEqual('<vraag-1@example.org>');
    expect(answer!.parsed.text).toContain('We willen je graag helpen.');
    expect(f.mailDesk.threads()[0]).toMatchObject({ state: 'answered' });
  });

  it('joins a reply to our answer to its thread, and starts a new thread for a reply from someone else', async () => {
    const f = (fixture = await mailFixture());
    await f.send(mailFrom(SENDER));
    const reference = await onlyThread(f);
    f.mailDesk.open(reference, 'desk-1');
    await f.mailDesk.answer(reference, 'desk-1', 'Vertel gerust meer.');
    await relayedCount(f, 2);
    const ourId = f.relay.received.find((mail) => !mail.parsed.headers.has('auto-submitted'))!.parsed.messageId!;
    await f.send({ ...mailFrom(SENDER), subject: 'Re: Thuis', text: 'Het gebeurt elke avond.', inReplyTo: ourId, references: [ourId] });
    expect(f.mailDesk.threads()).toHaveLength(1);
    expect(f.mailDesk.threads()[0]).toMatchObject({ reference, state: 'open' });
    const texts = (f.mailDesk.messages(reference, 'desk-1') as { value: Array<{ direction: string; text: string }> }).value.map((m) => [m.direction, m.text]);
    expect(texts).toEqual([['in', SECRET_LINE], ['out', 'Vertel gerust meer.'], ['in', 'Het gebeurt elke avond.']]);
    await f.send({ ...mailFrom('indringer@example.org'), inReplyTo: ourId, references: [ourId] });
    expect(f.mailDesk.threads()).toHaveLength(2);
    expect(f.mailDesk.messages(reference, 'desk-1')).toMatchObject({ ok: true, value: { length: 3 } });
  });

  it('keeps an answer the relay refused as unsent (delivered false, HGW_MAIL_SEND_FAILED) and sends it on resend', async () => {
    const f = (fixture = await mailFixture());
    await f.send(mailFrom(SENDER));
    const reference = await onlyThread(f);
    await relayedCount(f, 1);
    f.mailDesk.open(reference, 'desk-1');
    f.relay.failWith = 451;
    const failed = await f.mailDesk.answer(reference, 'desk-1', 'Eerste antwoord.');
    expect(failed).toMatchObject({ ok: false, code: 'HGW_MAIL_SEND_FAILED' });
    expect((failed as { message: string }).message).toContain('451');
    expect((failed as { message: string }).message).not.toContain('@');
    expect(f.mailDesk.messages(reference, 'desk-1')).toMatchObject({ ok: true, value: [{ direction: 'in' }, { direction: 'out', delivered: false }] });
    expect(f.mailDesk.threads()[0]).toMatchObject({ state: 'open' });
    f.relay.failWith = null;
    const resent = await f.mailDesk.resend(reference, 'desk-1');
    expect(resent).toMatchObject({ ok: true, value: [{ direction: 'in' }, { direction: 'out', delivered: true }] });
    expect(f.relay.received.filter((mail) => mail.parsed.text?.includes('Eerste antwoord.'))).toHaveLength(1);
    expect(f.mailDesk.threads()[0]).toMatchObject({ state: 'answered' });
    expect(f.logLines.join('\n').toLowerCase()).not.toContain('noor.peeters');
  });

  it('retries an unsent answer before a later one, in order, when the relay is back', async () => {
    const f = (fixture = await mailFixture());
    await f.send(mailFrom(SENDER));
    const reference = await onlyThread(f);
    f.mailDesk.open(reference, 'desk-1');
    f.relay.failWith = 421;
    await f.mailDesk.answer(reference, 'desk-1', 'Eerste antwoord.');
    f.relay.failWith = null;
    expect(await f.mailDesk.answer(reference, 'desk-1', 'Tweede antwoord.')).toMatchObject({ ok: true, value: { delivered: true } });
    const answers = f.relay.received.filter((mail) => !mail.parsed.headers.has('auto-submitted')).map((mail) => mail.parsed.text?.trim());
    expect(answers).toEqual(['Eerste antwoord.', 'Tweede antwoord.']);
  });

  it('shows the volunteer a note instead of the attachments, which are never stored', async () => {
    const f = (fixture = await mailFixture());
    const photo = Buffer.from('FOTO-BYTES-'.repeat(50));
    await f.send({ ...mailFrom(SENDER), attachments: [{ filename: 'foto.jpg', content: photo }, { filename: 'brief.txt', content: 'geheime brief' }] });
    const reference = await onlyThread(f);
    const messages = f.mailDesk.messages(reference, 'desk-1') as { ok: true; value: Array<{ text: string }> };
    expect(messages.value[0]!.text).toBe(`${SECRET_LINE}\n\n[2 bijlage(n) niet bewaard]`);
    const stored = f.mails.messagesOf(f.desk.contacts.findByReference(reference)!.id)[0]!;
    expect(f.desk.vault.unsealText(stored.sealedMessage, stored.sealedEpoch, 'mail-content')).not.toMatch(/FOTO-BYTES|geheime brief|foto\.jpg/);
  });

  it('answers only from the station that opened the thread, and refuses an empty answer', async () => {
    const f = (fixture = await mailFixture());
    await f.send(mailFrom(SENDER));
    const reference = await onlyThread(f);
    expect(await f.mailDesk.answer(reference, 'desk-1', 'Hallo')).toMatchObject({ ok: false, code: 'HGW_STATION_FORBIDDEN' });
    f.mailDesk.open(reference, 'desk-1');
    expect(f.mailDesk.messages(reference, 'desk-2')).toMatchObject({ ok: false, code: 'HGW_STATION_FORBIDDEN' });
    expect(await f.mailDesk.answer(reference, 'desk-1', '  \n ')).toMatchObject({ ok: false, code: 'HGW_STATION_BAD_REQUEST' });
    expect(await f.mailDesk.answer('ZZZ-ZZZ' as ContactReference, 'desk-1', 'Hallo')).toMatchObject({ ok: false, code: 'HGW_MAIL_UNKNOWN_THREAD' });
  });

  it('closes a thread: it leaves the list, its contact ends for its wrap-up, and a later mail is a new thread that knows the sender', async () => {
    const f = (fixture = await mailFixture());
    const changes: string[] = [];
    f.mailDesk.onThreadChanged((view) => changes.push(view.state));
    await f.send(mailFrom(SENDER));
    const reference = await onlyThread(f);
    f.mailDesk.open(reference, 'desk-1');
    expect(f.mailDesk.close(reference, 'desk-1')).toMatchObject({ ok: true, value: { state: 'closed' } });
    expect(f.mailDesk.threads()).toEqual([]);
    expect(f.desk.contacts.findByReference(reference)).toMatchObject({ channel: 'mail', state: 'ended' });
    expect(changes).toEqual(['new', 'open', 'closed']);
    await f.send(mailFrom(SENDER));
    expect(f.mailDesk.threads()).toMatchObject([{ priorContacts: 1, state: 'new' }]);
  });

  it('lists the open threads again after a restart, and can still answer and close them', async () => {
    const f = (fixture = await mailFixture());
    await f.send(mailFrom(SENDER));
    const reference = await onlyThread(f);
    const restarted = mailDeskOver(f.desk, { mails: f.mails, relay: f.smtpRelay, timeZone: 'Europe/Brussels', messageIdDomain: DOMAIN, logger: silentLogger() });
    restarted.start();
    expect(restarted.threads()).toMatchObject([{ reference, state: 'new', subject: 'Thuis' }]);
    restarted.open(reference, 'desk-2');
    expect(f.desk.contacts.findByReference(reference)).toMatchObject({ state: 'live' });
    expect(await restarted.answer(reference, 'desk-2', 'Nog steeds hier.')).toMatchObject({ ok: true });
    restarted.close(reference, 'desk-2');
    expect(f.desk.contacts.findByReference(reference)).toMatchObject({ state: 'ended' });
    await restarted.stop();
  });
});
