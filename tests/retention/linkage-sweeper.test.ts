import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog, verifyAuditLog } from '../../src/audit/index.js';
import { silentLogger } from '../../src/log/logger.js';
import { LinkageSweeper } from '../../src/retention/linkage-sweeper.js';
import { deskFixture, type DeskFixture } from '../contacts/desk-fixture.js';

let fixture: DeskFixture | undefined;

afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

function sweeperFor(desk: DeskFixture, batchSize: number, audit?: AuditLog): LinkageSweeper {
  return new LinkageSweeper({
    ...(audit ? { audit } : {}),
    keyring: desk.keyring,
    contacts: desk.contacts,
    database: desk.database,
    clock: desk.clock,
    timeZone: 'Europe/Amsterdam',
    phoneLinkageMonths: 6,
    phoneSealedMonths: 6,
    logger: silentLogger(),
    batchSize,
  });
}

describe('the linkage sweeper', () => {
  it('walks the table in id ranges and nulls every expired row, whatever the batch size', async () => {
    fixture = deskFixture(new Date('2026-01-10T12:00:00Z'));
    const desk = fixture;
    for (let i = 0; i < 23; i++) desk.call(`06${String(20_000_000 + i)}`); // January
    desk.clock.set(new Date('2026-04-10T12:00:00Z'));
    for (let i = 0; i < 11; i++) desk.call(`06${String(30_000_000 + i)}`); // April
    desk.call('P');
    desk.clock.set(new Date('2026-07-02T12:00:00Z')); // January has left the window, April has not

    const result = await sweeperFor(desk, 7).sweep();
    expect(result).toMatchObject({ contactsUnlinked: 23, sealsDestroyed: 23, linkEpochsShredded: ['2026-01'], sealedEpochsShredded: ['2026-01'] });
    const rows = Array.from({ length: 35 }, (_, i) => desk.contacts.findById(i + 1));
    expect(rows.slice(0, 23).every((row) => row?.pseudonym === null && row.sealedIdentifier === null)).toBe(true);
    expect(rows.slice(23, 34).every((row) => row?.pseudonym !== null && row?.sealedIdentifier !== null)).toBe(true);
  });

  it('after its first walk, touches the table again only when a month is due', async () => {
    fixture = deskFixture(new Date('2026-01-10T12:00:00Z'));
    const desk = fixture;
    desk.call('0612345678');
    const sweeper = sweeperFor(desk, 5);
    expect(await sweeper.sweep()).toMatchObject({ contactsUnlinked: 0, linkEpochsShredded: [] });
    // A row left behind by an earlier keyring (its key already gone) is not looked for again...
    const january = desk.keyring.linkEpochs()[0] ?? ('' as never);
    desk.keyring.shredLinkKey(january);
    desk.keyring.shredVaultKey('phone-number', january);
    desk.clock.set(new Date('2026-08-01T12:00:00Z'));
    expect((await sweeper.sweep()).contactsUnlinked).toBe(0);
    // ...but a fresh sweeper (a restart) walks the table once and finds it.
    expect((await sweeperFor(desk, 5).sweep()).contactsUnlinked).toBe(1);
  });

  it('writes each sweep that changed anything to the audit log: counts and month names, never an identifier', async () => {
    fixture = deskFixture(new Date('2026-01-10T12:00:00Z'));
    const desk = fixture;
    const audit = new AuditLog({ database: desk.database, clock: desk.clock });
    desk.call('0612345678');
    desk.call('0687654321');
    const sweeper = sweeperFor(desk, 100, audit);
    await sweeper.sweep();
    expect(audit.count()).toBe(0);
    desk.clock.set(new Date('2026-07-02T12:00:00Z'));
    await sweeper.sweep();
    const entries = audit.entries();
    expect(entries.map((entry) => [entry.action, entry.details])).toEqual([
      ['key.shredded', { family: 'link', month: '2026-01' }],
      ['key.shredded', { family: 'phone-number', month: '2026-01' }],
      ['retention.run', { contactsUnlinked: 2, sealedNumbersDestroyed: 2, linkKeysShredded: 1, sealKeysShredded: 1 }],
    ]);
    expect(entries.every((entry) => entry.actorRole === 'system' && entry.actorId === 'retention')).toBe(true);
    expect(verifyAuditLog(desk.database).ok).toBe(true);
    expect(JSON.stringify(entries)).not.toMatch(/612345678|687654321/);
  });
});
