import { afterEach, describe, expect, it } from 'vitest';
import { HELPLINE, mailFixture, rawMail, type MailFixture } from './mail-fixture.js';

let fixture: MailFixture | undefined;

afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

const SENDER = 'noor.peeters@example.org';

function plainMail(from = SENDER, text = 'Hoi, ik wil iets vertellen over school.'): { from: string; to: string; subject: string; text: string } {
  return { from, to: HELPLINE, subject: 'Vraag', text };
}

function refusals(f: MailFixture): Array<Record<string, unknown>> {
  return f.logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.msg === 'mail refused');
}

describe('the SMTP listener', () => {
  it('acknowledges a mail only once it is stored, sealed, on a new mail contact', async () => {
    const f = (fixture = await mailFixture());
    expect(await f.send(plainMail())).toEqual({ ok: true });
    expect(f.mails.count()).toBe(1);
    const [thread] = f.mailDesk.threads();
    expect(thread).toMatchObject({ state: 'new', priorContacts: 0, callerKnown: true, subject: 'Vraag' });
    const stored = f.mails.messagesOf(f.desk.contacts.findByReference(thread!.reference)!.id)[0]!;
    expect(Buffer.from(stored.sealedMessage).toString('latin1')).not.toContain('school');
    expect(stored).toMatchObject({ direction: 'in', delivered: true });
  });

  it('refuses a recipient that is not the helpline mailbox with 550', async () => {
    const f = (fixture = await mailFixture());
    const result = await f.send({ ...plainMail(), to: 'iemand@lumi.example' });
    expect(result).toEqual({ ok: false, responseCode: 550 });
    expect(f.mails.count()).toBe(0);
    expect(refusals(f)).toEqual([expect.objectContaining({ smtp: 550, refusal: 'unknown-recipient' })]);
  });

  it('advertises SIZE and refuses a larger mail with 552 (HGW_MAIL_TOO_LARGE)', async () => {
    const f = (fixture = await mailFixture({ maxMessageBytes: 20_000 }));
    const result = await f.send(plainMail(SENDER, 'lang verhaal '.repeat(3_000)));
    expect(result).toEqual({ ok: false, responseCode: 552 });
    expect(f.mails.count()).toBe(0);
    expect(refusals(f)).toEqual([expect.objectContaining({ code: 'HGW_MAIL_TOO_LARGE', smtp: 552 })]);
    expect(await f.send(plainMail())).toEqual({ ok: true });
  });

  it('refuses MIME it cannot read, and binary junk, with 550 (HGW_MAIL_MALFORMED)', async () => {
    const f = (fixture = await mailFixture());
    const brokenBase64 = rawMail(
      `From: ${SENDER}`,
      `To: ${HELPLINE}`,
      'Content-Type: multipart/mixed; boundary="zz"',
      '',
      '--zz',
      'Content-Type: text/plain',
      'Content-Transfer-Encoding: base64',
      '',
      '!!!!@@@@',
    );
    expect(await f.send({ envelope: { from: SENDER, to: [HELPLINE] }, raw: brokenBase64 })).toEqual({ ok: false, responseCode: 550 });
    const junk = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919 + 13) % 256).filter((byte) => byte !== 0x0a && byte !== 0x0d && byte !== 0x2e));
    expect(await f.send({ envelope: { from: SENDER, to: [HELPLINE] }, raw: junk })).toEqual({ ok: false, responseCode: 550 });
    expect(f.mails.count()).toBe(0);
    expect(refusals(f).map((entry) => entry.code)).toEqual(['HGW_MAIL_MALFORMED', 'HGW_MAIL_MALFORMED']);
  });

  it('refuses a mail without a readable sender with 550 (HGW_MAIL_NO_SENDER)', async () => {
    const f = (fixture = await mailFixture());
    const unreadableFrom = rawMail('From: Kim <kim@localhost>', `To: ${HELPLINE}`, 'Subject: hallo', '', 'Ik heb een vraag.');
    expect(await f.send({ envelope: { from: SENDER, to: [HELPLINE] }, raw: unreadableFrom })).toEqual({ ok: false, responseCode: 550 });
    const noFromAtAll = rawMail(`To: ${HELPLINE}`, 'Subject: hallo', '', 'Ik heb een vraag.');
    expect(await f.send({ envelope: { from: '', to: [HELPLINE] }, raw: noFromAtAll })).toEqual({ ok: false, responseCode: 550 });
    expect(refusals(f).map((entry) => entry.code)).toEqual(['HGW_MAIL_NO_SENDER', 'HGW_MAIL_NO_SENDER']);
  });

  it('takes the sender from From, and from the envelope when From has no address', async () => {
    const f = (fixture = await mailFixture());
    const raw = rawMail('From: geen adres', `To: ${HELPLINE}`, 'Subject: hallo', '', 'Ik heb een vraag.');
    expect(await f.send({ envelope: { from: SENDER, to: [HELPLINE] }, raw })).toEqual({ ok: true });
    expect(await f.send(plainMail(SENDER.toUpperCase()))).toEqual({ ok: true });
    expect(f.mailDesk.threads().map((thread) => thread.priorContacts)).toEqual([0, 1]);
  });

  it('holds back a sender past mailsPerHourPerSender with 451 (HGW_MAIL_FLOOD), and takes them again an hour later', async () => {
    const f = (fixture = await mailFixture({ mailsPerHourPerSender: 2 }));
    expect(await f.send(plainMail())).toEqual({ ok: true });
    expect(await f.send(plainMail(` ${SENDER.toUpperCase()} `))).toEqual({ ok: true });
    expect(await f.send(plainMail())).toEqual({ ok: false, responseCode: 451 });
    expect(await f.send(plainMail('ander.kind@example.org'))).toEqual({ ok: true });
    f.desk.clock.advance(60 * 60 * 1000 + 1);
    expect(await f.send(plainMail())).toEqual({ ok: true });
    expect(refusals(f)).toEqual([expect.objectContaining({ code: 'HGW_MAIL_FLOOD', smtp: 451, refusal: 'sender-flood' })]);
  });

  it('holds back a connecting host past its hourly mails with 451 (HGW_MAIL_FLOOD)', async () => {
    const f = (fixture = await mailFixture({ mailsPerHourPerHost: 3 }));
    for (let i = 0; i < 3; i++) expect(await f.send(plainMail(`kind${i}@example.org`))).toEqual({ ok: true });
    expect(await f.send(plainMail('kind9@example.org'))).toEqual({ ok: false, responseCode: 451 });
    expect(refusals(f)).toEqual([expect.objectContaining({ code: 'HGW_MAIL_FLOOD', refusal: 'host-flood' })]);
  });

  it('refuses a host that is not an allowed client at connect', async () => {
    const f = (fixture = await mailFixture({ allowedClients: ['10.20.0.0/16'] }));
    const result = await f.send(plainMail());
    expect(result.ok).toBe(false);
    expect(f.mails.count()).toBe(0);
    expect(refusals(f)).toEqual([expect.objectContaining({ smtp: 554, refusal: 'client-not-allowed' })]);
  });

  it('answers 451 when the mail cannot be stored, so the sending server keeps it', async () => {
    const f = (fixture = await mailFixture());
    f.desk.database.close();
    expect(await f.send(plainMail())).toEqual({ ok: false, responseCode: 451 });
    expect(refusals(f)).toEqual([expect.objectContaining({ smtp: 451, refusal: 'not-stored' })]);
  });
});
