import { afterEach, describe, expect, it } from 'vitest';
import type { ContactReference } from '../../src/contacts/contact-view.js';
import { policyPresets } from '../../src/config/policy-presets.js';
import { silentLogger } from '../../src/log/logger.js';
import type { SealedText } from '../../src/privacy/types.js';
import { retentionRules } from '../../src/retention/retention-rules.js';
import { RetentionSweeper } from '../../src/retention/retention-sweeper.js';
import { MailMessagesRepository } from '../../src/store/mail-messages-repository.js';
import { TranscriptsRepository } from '../../src/store/transcripts-repository.js';
import { asMonthEpoch } from '../../src/time/month-epoch.js';
import { deskFixture, type DeskFixture } from '../contacts/desk-fixture.js';
import { insertedContact } from '../support/inserted-contact.js';
import { HELPLINE, mailFixture, type MailFixture } from './mail-fixture.js';

let desk: DeskFixture | undefined;
let fixture: MailFixture | undefined;

afterEach(async () => {
  desk?.close();
  desk = undefined;
  await fixture?.close();
  fixture = undefined;
});

describe('the mail messages repository', () => {
  it('stores, lists, marks delivered and deletes by month within an id range', () => {
    const d = (desk = deskFixture(new Date('2026-05-12T10:00:00+02:00'), 'Europe/Brussels'));
    const mails = new MailMessagesRepository(d.database);
    const contactId = insertedContact(d.contacts, {
      reference: 'AAA-AAA' as ContactReference,
      channel: 'mail',
      presentation: 'unavailable',
      linkEpoch: null,
      pseudonym: null,
      sealedEpoch: null,
      sealedIdentifier: null,
      openedAt: 1_000,
    });
    const sealed = new Uint8Array([1, 2, 3]) as SealedText;
    const april = mails.insert({ contactId, direction: 'in', at: 1_000, sealedEpoch: asMonthEpoch('2026-04'), sealedMessage: sealed, sizeBytes: 3, delivered: true });
    const may = mails.insert({ contactId, direction: 'out', at: 2_000, sealedEpoch: asMonthEpoch('2026-05'), sealedMessage: sealed, sizeBytes: 3, delivered: false });
    expect(mails.messagesOf(contactId).map((row) => [row.id, row.direction, row.delivered])).toEqual([[april, 'in', true], [may, 'out', false]]);
    expect(mails.openThreadContactIds()).toEqual([contactId]);
    expect(mails.markDelivered(may)).toBe(true);
    expect(mails.markDelivered(may)).toBe(false);
    expect([mails.count(), mails.maxId(), mails.oldestAt()]).toEqual([2, may, 1_000]);
    expect(mails.deleteEpochsBefore(asMonthEpoch('2026-05'), { after: april, upTo: may })).toBe(0);
    expect(mails.deleteEpochsBefore(asMonthEpoch('2026-05'), { after: 0, upTo: may })).toBe(1);
    expect(mails.messagesOf(contactId).map((row) => row.id)).toEqual([may]);
    d.contacts.markEnded(contactId, 3_000);
    expect(mails.openThreadContactIds()).toEqual([]);
  });
});

describe('the year-end purge (Lumi: "Op het einde van het jaar worden alle mails gewist")', () => {
  it('deletes every mail and shreds every sealed address and mail key on 1 January 00:00 in Brussels, not a second earlier', async () => {
    const f = (fixture = await mailFixture({ start: new Date('2026-03-02T09:00:00+01:00') }));
    await f.send({ from: 'maart@example.org', to: HELPLINE, subject: 'maart', text: 'Een mail in maart.' });
    f.desk.clock.set(new Date('2026-12-31T23:00:00+01:00'));
    await f.send({ from: 'december@example.org', to: HELPLINE, subject: 'december', text: 'Een mail op oudejaarsavond.' });
    const reference = f.mailDesk.threads().at(-1)!.reference;
    f.mailDesk.open(reference, 'desk-1');
    await f.mailDesk.answer(reference, 'desk-1', 'Gelukkig nieuwjaar alvast.');
    await f.mailDesk.idle();
    expect(f.mails.count()).toBe(3);
    const sweeper = new RetentionSweeper({
      keyring: f.desk.keyring,
      contacts: f.desk.contacts,
      transcripts: new TranscriptsRepository(f.desk.database),
      mails: f.mails,
      database: f.desk.database,
      clock: f.desk.clock,
      timeZone: 'Europe/Brussels',
      rules: retentionRules(policyPresets['lumi-be']),
      logger: silentLogger(),
    });

    f.desk.clock.set(new Date('2026-12-31T23:59:59+01:00'));
    await sweeper.sweep();
    expect(f.mails.count()).toBe(3);

    f.desk.clock.set(new Date('2027-01-01T00:00:00+01:00'));
    const result = await sweeper.sweep();
    expect(result.mailMessagesDeleted).toBe(3);
    expect(f.mails.count()).toBe(0);
    expect(f.desk.keyring.vaultEpochs('mail-content')).toEqual([]);
    expect(f.desk.keyring.vaultEpochs('mail-address')).toEqual([]);
    expect(f.desk.contacts.findByReference(reference)?.sealedIdentifier).toBeNull();
    // The thread is still listed (its contact waits for a wrap-up) but there is nothing left to read or answer.
    expect(f.mailDesk.messages(reference, 'desk-1')).toEqual({ ok: true, value: [] });
    expect(await f.mailDesk.answer(reference, 'desk-1', 'Nog één ding.')).toMatchObject({ ok: false, code: 'HGW_MAIL_SEND_FAILED' });
  });
});
