import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog, verifyAuditLog } from '../../src/audit/index.js';
import { policyPresets, type PolicyPresetName } from '../../src/config/policy-presets.js';
import { randomContactReference } from '../../src/contacts/contact-reference.js';
import { silentLogger } from '../../src/log/logger.js';
import { normalizeEmailAddress, normalizeIpAddress } from '../../src/privacy/normalize.js';
import type { RawIdentifier } from '../../src/privacy/raw-identifier.js';
import type { IdentifierDataClass } from '../../src/privacy/types.js';
import { retentionRules } from '../../src/retention/retention-rules.js';
import { RetentionSweeper, type LinkedPseudonymStore } from '../../src/retention/retention-sweeper.js';
import { MailMessagesRepository } from '../../src/store/mail-messages-repository.js';
import { TranscriptsRepository } from '../../src/store/transcripts-repository.js';
import { monthEpochAt, type MonthEpoch } from '../../src/time/month-epoch.js';
import { deskFixture, type DeskFixture } from '../contacts/desk-fixture.js';

let fixture: DeskFixture | undefined;
let zone = 'Europe/Amsterdam';

afterEach(() => {
  fixture?.close();
  fixture = undefined;
  zone = 'Europe/Amsterdam';
});

function deskIn(start: Date, timeZone = 'Europe/Amsterdam'): DeskFixture {
  zone = timeZone;
  fixture = deskFixture(start, timeZone);
  return fixture;
}

interface SweeperSetup {
  readonly mails?: MailMessagesRepository;
  readonly batchSize?: number;
  readonly audit?: AuditLog;
  readonly preset?: PolicyPresetName;
  readonly linkedStores?: readonly LinkedPseudonymStore[];
}

function sweeperFor(desk: DeskFixture, setup: SweeperSetup = {}): RetentionSweeper {
  return new RetentionSweeper({
    ...(setup.audit ? { audit: setup.audit } : {}),
    ...(setup.linkedStores ? { linkedStores: setup.linkedStores } : {}),
    ...(setup.mails ? { mails: setup.mails } : {}),
    keyring: desk.keyring,
    contacts: desk.contacts,
    transcripts: new TranscriptsRepository(desk.database),
    database: desk.database,
    clock: desk.clock,
    timeZone: zone,
    rules: retentionRules(policyPresets[setup.preset ?? 'allesoke-nl']),
    priorContacts: desk.priorContacts,
    logger: silentLogger(),
    batchSize: setup.batchSize ?? 100,
  });
}

/** A chat or mail contact as the later channels will store it: sealed under its data class's month key. */
function storeSealedContact(desk: DeskFixture, channel: 'chat' | 'mail', identifier: RawIdentifier): number {
  const epoch = monthEpochAt(desk.clock.now(), zone);
  const dataClass: IdentifierDataClass = channel === 'chat' ? 'chat-ip' : 'mail-address';
  const id = desk.contacts.insert({
    reference: randomContactReference(),
    channel,
    presentation: 'number',
    linkEpoch: null,
    pseudonym: null,
    sealedEpoch: epoch,
    sealedIdentifier: desk.vault.seal(identifier, dataClass, epoch),
    openedAt: desk.clock.now(),
  });
  if (id === undefined) throw new Error('reference collision');
  return id;
}

function storeTranscriptLine(desk: DeskFixture, contactId: number, text: string): { id: number; epoch: MonthEpoch } {
  const epoch = monthEpochAt(desk.clock.now(), zone);
  const transcripts = new TranscriptsRepository(desk.database);
  const id = transcripts.insert({ contactId, author: 'caller', writtenAt: desk.clock.now(), sealedEpoch: epoch, sealedText: desk.vault.sealText(text, epoch) });
  return { id, epoch };
}

function ip(text: string): RawIdentifier {
  const parsed = normalizeIpAddress(text);
  if (!parsed) throw new Error('test IP does not parse');
  return parsed;
}

function mail(text: string): RawIdentifier {
  const parsed = normalizeEmailAddress(text);
  if (!parsed) throw new Error('test address does not parse');
  return parsed;
}

describe('the retention sweeper', () => {
  it('walks the table in id ranges and nulls every expired row, whatever the batch size', async () => {
    const desk = deskIn(new Date('2026-01-10T12:00:00Z'));
    for (let i = 0; i < 23; i++) desk.call(`06${String(20_000_000 + i)}`); // January
    desk.clock.set(new Date('2026-04-10T12:00:00Z'));
    for (let i = 0; i < 11; i++) desk.call(`06${String(30_000_000 + i)}`); // April
    desk.call('P');
    desk.clock.set(new Date('2026-07-02T12:00:00Z')); // January has left the window, April has not

    const result = await sweeperFor(desk, { batchSize: 7 }).sweep();
    expect(result).toMatchObject({ contactsUnlinked: 23, phoneNumbersDestroyed: 23 });
    expect(result.keysShredded).toEqual([
      { family: 'link', epoch: '2026-01' },
      { family: 'phone-number', epoch: '2026-01' },
    ]);
    const rows = Array.from({ length: 35 }, (_, i) => desk.contacts.findById(i + 1));
    expect(rows.slice(0, 23).every((row) => row?.pseudonym === null && row.sealedIdentifier === null)).toBe(true);
    expect(rows.slice(23, 34).every((row) => row?.pseudonym !== null && row?.sealedIdentifier !== null)).toBe(true);
  });

  it('after its first walk, touches the tables again only when a month is due', async () => {
    const desk = deskIn(new Date('2026-01-10T12:00:00Z'));
    desk.call('0612345678');
    const sweeper = sweeperFor(desk, { batchSize: 5 });
    expect(await sweeper.sweep()).toMatchObject({ contactsUnlinked: 0, keysShredded: [] });
    // A row left behind by an earlier keyring (its key already gone) is not looked for again...
    const january = desk.keyring.linkEpochs()[0] ?? ('' as never);
    desk.keyring.shredLinkKey(january);
    desk.keyring.shredVaultKey('phone-number', january);
    desk.clock.set(new Date('2026-08-01T12:00:00Z'));
    expect((await sweeper.sweep()).contactsUnlinked).toBe(0);
    // ...but a fresh sweeper (a restart) walks the table once and finds it.
    expect((await sweeperFor(desk, { batchSize: 5 }).sweep()).contactsUnlinked).toBe(1);
  });

  it('writes each sweep that changed anything to the audit log: counts and month names, never an identifier', async () => {
    const desk = deskIn(new Date('2026-01-10T12:00:00Z'));
    const audit = new AuditLog({ database: desk.database, clock: desk.clock });
    desk.call('0612345678');
    desk.call('0687654321');
    const sweeper = sweeperFor(desk, { audit });
    await sweeper.sweep();
    expect(audit.count()).toBe(0);
    desk.clock.set(new Date('2026-07-02T12:00:00Z'));
    await sweeper.sweep();
    const entries = audit.entries();
    expect(entries.map((entry) => [entry.action, entry.details])).toEqual([
      ['key.shredded', { family: 'link', month: '2026-01' }],
      ['key.shredded', { family: 'phone-number', month: '2026-01' }],
      [
        'retention.run',
        {
          contactsUnlinked: 2,
          sealedNumbersDestroyed: 2,
          sealedChatAddressesDestroyed: 0,
          sealedMailAddressesDestroyed: 0,
          transcriptLinesDeleted: 0,
          mailMessagesDeleted: 0,
          keysShredded: 2,
        },
      ],
    ]);
    expect(entries.every((entry) => entry.actorRole === 'system' && entry.actorId === 'retention')).toBe(true);
    expect(verifyAuditLog(desk.database).ok).toBe(true);
    expect(JSON.stringify(entries)).not.toMatch(/612345678|687654321/);
  });

  it.each([
    ['allesoke-nl', '2026-03-31T23:59:00+02:00', '2026-04-01T00:00:00+02:00'],
    ['lumi-be', '2026-06-30T23:59:00+02:00', '2026-07-01T00:00:00+02:00'],
  ] as const)('keeps %s transcripts and chat IPs to the last minute of their window and not a minute longer', async (preset, lastMinute, firstMinuteAfter) => {
    const desk = deskIn(new Date('2026-01-20T10:00:00+01:00'), preset === 'lumi-be' ? 'Europe/Brussels' : 'Europe/Amsterdam');
    const chat = storeSealedContact(desk, 'chat', ip('192.0.2.45'));
    const line = storeTranscriptLine(desk, chat, 'ik durf het niet te zeggen');
    const transcripts = new TranscriptsRepository(desk.database);

    desk.clock.set(new Date(lastMinute));
    const before = await sweeperFor(desk, { preset }).sweep();
    expect(before).toMatchObject({ transcriptLinesDeleted: 0, chatAddressesDestroyed: 0, keysShredded: [] });
    const kept = transcripts.linesOf(chat)[0];
    expect(kept?.sealedText && desk.vault.unsealText(kept.sealedText, line.epoch)).toBe('ik durf het niet te zeggen');

    desk.clock.set(new Date(firstMinuteAfter));
    const after = await sweeperFor(desk, { preset }).sweep();
    expect(after).toMatchObject({ transcriptLinesDeleted: 1, chatAddressesDestroyed: 1 });
    expect(after.keysShredded).toEqual([
      { family: 'chat-transcript', epoch: '2026-01' },
      { family: 'chat-ip', epoch: '2026-01' },
    ]);
    expect(transcripts.count()).toBe(0);
    expect(desk.contacts.findById(chat)?.sealedIdentifier).toBeNull();
    expect(desk.keyring.vaultKey('chat-transcript', line.epoch)).toBeUndefined();
    // The ciphertext, were a page of it to survive on flash, no longer opens.
    const sealed = desk.vault.sealText('x', monthEpochAt(desk.clock.now(), zone));
    expect(desk.vault.unsealText(sealed, line.epoch)).toBeUndefined();
  });

  it('keeps a sealed mail address until the calendar year ends in the site zone, through the year change', async () => {
    const desk = deskIn(new Date('2026-02-03T09:00:00+01:00'), 'Europe/Brussels');
    const contact = storeSealedContact(desk, 'mail', mail('kind@example.org'));
    desk.clock.set(new Date('2026-12-31T23:59:59+01:00'));
    expect((await sweeperFor(desk, { preset: 'lumi-be' }).sweep()).mailAddressesDestroyed).toBe(0);
    expect(desk.contacts.findById(contact)?.sealedIdentifier).not.toBeNull();
    // 1 January 00:00 in Brussels is still 31 December 23:00 UTC.
    desk.clock.set(new Date('2026-12-31T23:00:00Z'));
    const result = await sweeperFor(desk, { preset: 'lumi-be' }).sweep();
    expect(result.mailAddressesDestroyed).toBe(1);
    expect(result.keysShredded).toEqual([{ family: 'mail-address', epoch: '2026-02' }]);
  });

  it('deletes every mail, in and out, and its month keys when the year ends in Brussels, not a second before', async () => {
    const desk = deskIn(new Date('2026-03-14T10:00:00+01:00'), 'Europe/Brussels');
    const mails = new MailMessagesRepository(desk.database);
    const contact = storeSealedContact(desk, 'mail', mail('kind@example.org'));
    const store = (direction: 'in' | 'out', text: string): void => {
      const epoch = monthEpochAt(desk.clock.now(), zone);
      const sealedMessage = desk.vault.sealText(JSON.stringify({ subject: 'hulp', text }), epoch, 'mail-content');
      mails.insert({ contactId: contact, direction, at: desk.clock.now(), sealedEpoch: epoch, sealedMessage, sizeBytes: text.length, delivered: true });
    };
    store('in', 'ik wil praten');
    desk.clock.set(new Date('2026-12-20T16:00:00+01:00'));
    store('out', 'we luisteren');
    desk.clock.set(new Date('2026-12-31T23:59:59+01:00'));
    expect((await sweeperFor(desk, { preset: 'lumi-be', mails }).sweep()).mailMessagesDeleted).toBe(0);
    expect(mails.count()).toBe(2);
    // 1 January 00:00 in Brussels: 31 December 23:00 UTC.
    desk.clock.set(new Date('2026-12-31T23:00:00Z'));
    const result = await sweeperFor(desk, { preset: 'lumi-be', mails }).sweep();
    expect(result.mailMessagesDeleted).toBe(2);
    expect(mails.count()).toBe(0);
    expect(result.keysShredded).toEqual(expect.arrayContaining([
      { family: 'mail-content', epoch: '2026-03' },
      { family: 'mail-content', epoch: '2026-12' },
      { family: 'mail-address', epoch: '2026-03' },
    ]));
    expect(desk.keyring.vaultEpochs('mail-content')).toEqual([]);
  });

  it('catches up at the first sweep after sixty days switched off: every class at once', async () => {
    const desk = deskIn(new Date('2026-02-10T12:00:00+01:00'));
    desk.call('0612345678');
    const chat = storeSealedContact(desk, 'chat', ip('2001:db8::7'));
    for (let i = 0; i < 5; i++) storeTranscriptLine(desk, chat, `regel ${i}`);
    await sweeperFor(desk).sweep();
    // Switched off on 10 February, on again in October: every class of February is long due.
    desk.clock.set(new Date('2026-10-04T12:00:00+02:00'));
    const result = await sweeperFor(desk).sweep();
    expect(result).toMatchObject({ contactsUnlinked: 1, phoneNumbersDestroyed: 1, chatAddressesDestroyed: 1, transcriptLinesDeleted: 5 });
    expect(desk.keyring.linkEpochs()).toEqual([]);
    expect(desk.keyring.vaultEpochs('chat-transcript')).toEqual([]);
    expect(new TranscriptsRepository(desk.database).count()).toBe(0);
  });

  it('leaves the store as the live path expects it: synchronous=FULL, default automatic checkpoints, an empty -wal file', async () => {
    const desk = deskIn(new Date('2026-01-10T12:00:00Z'));
    for (let i = 0; i < 30; i++) desk.call(`06${String(20_000_000 + i)}`);
    desk.clock.set(new Date('2026-07-02T12:00:00Z'));
    expect((await sweeperFor(desk, { batchSize: 4 }).sweep()).contactsUnlinked).toBe(30);
    expect(desk.database.get<{ synchronous: number }>('PRAGMA synchronous')?.synchronous).toBe(2);
    expect(desk.database.get<{ wal_autocheckpoint: number }>('PRAGMA wal_autocheckpoint')?.wal_autocheckpoint).toBe(1000);
    expect(statSync(`${join(desk.root, 'gateway.db')}-wal`).size).toBe(0);
  });

  it('re-wraps the live keys under a fresh key-encryption key with every shred', async () => {
    const desk = deskIn(new Date('2026-01-10T12:00:00Z'));
    desk.call('0612345678');
    desk.clock.set(new Date('2026-05-10T12:00:00Z'));
    desk.call('0612345678');
    const generation = desk.keyring.status().kek.generation;
    desk.clock.set(new Date('2026-07-02T12:00:00Z'));
    const result = await sweeperFor(desk).sweep();
    expect(desk.keyring.status().kek.generation).toBe(generation + result.keysShredded.length);
    expect(desk.keyring.linkEpochs()).toEqual(['2026-05']);
  });

  it('unlinks the pseudonyms other stores keep per link month, with the contacts', async () => {
    const desk = deskIn(new Date('2026-01-10T12:00:00Z'));
    desk.call('0612345678');
    const forgotten: MonthEpoch[] = [];
    const store: LinkedPseudonymStore = {
      forgetLinkEpochsBefore(epoch) {
        forgotten.push(epoch);
        return 0;
      },
    };
    desk.clock.set(new Date('2026-07-02T12:00:00Z'));
    await sweeperFor(desk, { linkedStores: [store] }).sweep();
    expect(forgotten).toEqual(['2026-02']);
  });
});
