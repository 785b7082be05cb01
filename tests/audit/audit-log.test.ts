import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuditLog, describeVerification, GENESIS_HASH, verifyAuditLog } from '../../src/audit/index.js';
import { auditEntryHash, canonicalDetailsJson } from '../../src/audit/audit-entry.js';
import { silentLogger } from '../../src/log/index.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { ManualClock } from '../../src/time/index.js';
import { makeTempDirectory, type TempDirectory } from '../store/fixtures/temp-directory.js';

let temp: TempDirectory;
let db: GatewayDatabase;
let clock: ManualClock;
let audit: AuditLog;
const savedTimeZone = process.env.TZ;

beforeEach(() => {
  temp = makeTempDirectory('hgw-audit-');
  db = GatewayDatabase.open({ path: temp.databasePath, logger: silentLogger() });
  clock = new ManualClock(Date.UTC(2025, 2, 30, 0, 30));
  audit = new AuditLog({ database: db, clock });
});

afterEach(() => {
  db.close();
  temp.remove();
  if (savedTimeZone === undefined) delete process.env.TZ;
  else process.env.TZ = savedTimeZone;
});

describe('AuditLog', () => {
  it('verifies an empty log, with no head', () => {
    const verification = audit.verify();
    expect(verification).toEqual({ ok: true, entries: 0, head: null });
    expect(audit.latest()).toBeNull();
    expect(describeVerification(verification)).toBe('audit log intact: no entries yet');
  });

  it('chains entries from the genesis hash and reads them back as appended', () => {
    const first = audit.append({ actorRole: 'system', actorId: 'keyring', action: 'key.created', target: 'month:2025-03', details: { keyClass: 'link' } });
    clock.advance(60_000);
    const second = audit.append({ actorRole: 'volunteer', actorId: 'account:alice', action: 'login.succeeded' });
    clock.advance(60_000);
    const third = audit.append({ actorRole: 'coordinator', actorId: 'account:bob', action: 'disclosure.unsealed', target: 'K7Q-3F9', details: { reason: 'danger', approvals: 2, urgent: true } });

    expect(first.seq).toBe(1);
    expect(first.prevHash).toEqual(GENESIS_HASH);
    expect(second.prevHash).toEqual(first.hash);
    expect(third.prevHash).toEqual(second.hash);
    expect(second.target).toBeNull();
    expect(audit.entries()).toEqual([first, second, third]);
    expect(audit.count()).toBe(3);
    expect(audit.latest()).toEqual({ seq: 3, hash: Buffer.from(third.hash).toString('hex') });
    expect(audit.verify()).toEqual({ ok: true, entries: 3, head: audit.latest() });
  });

  it('hashes the previous hash and the entry fields, details as sorted-key JSON', () => {
    const record = audit.append({ actorRole: 'system', actorId: 'sweeper', action: 'retention.run', details: { rows: 7, epoch: '2024-09' } });
    const expected = auditEntryHash(GENESIS_HASH, {
      seq: 1,
      at: '2025-03-30T00:30:00.000Z',
      actorRole: 'system',
      actorId: 'sweeper',
      action: 'retention.run',
      target: null,
      detailsJson: '{"epoch":"2024-09","rows":7}',
    });
    expect(record.hash).toEqual(expected);
    expect(db.get<{ details: string }>('SELECT details FROM audit_log WHERE seq = 1')?.details).toBe('{"epoch":"2024-09","rows":7}');
  });

  it('writes UTC ISO timestamps in an Amsterdam process across both DST changes, and verifies', () => {
    process.env.TZ = 'Europe/Amsterdam';
    const instants = [
      Date.UTC(2025, 2, 30, 0, 59, 59), // 01:59:59 CET, the last second before the spring change
      Date.UTC(2025, 2, 30, 1, 0, 0), // 03:00 CEST
      Date.UTC(2025, 9, 26, 0, 30), // 02:30 CEST, first pass
      Date.UTC(2025, 9, 26, 1, 30), // 02:30 CET, the same wall time an hour later
    ];
    const ats = instants.map((instant) => {
      clock.set(instant);
      return audit.append({ actorRole: 'system', actorId: 'sweeper', action: 'retention.run' }).at;
    });
    expect(new Date(0).getTimezoneOffset()).toBe(-60); // the process really runs in Amsterdam
    expect(ats).toEqual(['2025-03-30T00:59:59.000Z', '2025-03-30T01:00:00.000Z', '2025-10-26T00:30:00.000Z', '2025-10-26T01:30:00.000Z']);
    expect(audit.verify()).toMatchObject({ ok: true, entries: 4 });
  });

  it('commits and rolls back with the caller\'s transaction', () => {
    audit.append({ actorRole: 'system', actorId: 'gateway', action: 'key.created' });
    expect(() =>
      db.transaction(() => {
        audit.append({ actorRole: 'supervisor', actorId: 'account:carol', action: 'moderation.block', target: 'ABC-DEF' });
        throw new Error('the block itself failed');
      }),
    ).toThrow('the block itself failed');
    expect(audit.count()).toBe(1);

    db.transaction(() => {
      audit.append({ actorRole: 'supervisor', actorId: 'account:carol', action: 'moderation.block', target: 'ABC-DEF' });
      audit.append({ actorRole: 'supervisor', actorId: 'account:carol', action: 'moderation.timeout', target: 'XYZ-234' });
    });
    expect(audit.entries().map((entry) => [entry.seq, entry.action])).toEqual([
      [1, 'key.created'],
      [2, 'moderation.block'],
      [3, 'moderation.timeout'],
    ]);
    expect(audit.verify()).toMatchObject({ ok: true, entries: 3 });
  });

  it('continues the chain after the database is closed and opened again', () => {
    audit.append({ actorRole: 'system', actorId: 'gateway', action: 'key.created' });
    db.close();
    db = GatewayDatabase.open({ path: temp.databasePath, logger: silentLogger() });
    audit = new AuditLog({ database: db, clock });
    const second = audit.append({ actorRole: 'technician', actorId: 'account:tech', action: 'update.installed', details: { version: '1.4.0' } });
    expect(second.seq).toBe(2);
    expect(audit.verify()).toMatchObject({ ok: true, entries: 2 });
  });

  it('verifies in pages, never reading the whole log at once', () => {
    for (let i = 0; i < 7; i += 1) audit.append({ actorRole: 'system', actorId: 'sweeper', action: 'retention.run', details: { rows: i } });
    const queries = vi.spyOn(db, 'all');
    const verification = verifyAuditLog(db, { pageSize: 3 });
    expect(verification).toMatchObject({ ok: true, entries: 7, head: { seq: 7 } });
    const pages = queries.mock.results.map((result) => (result.value as unknown[]).length);
    expect(pages).toEqual([3, 3, 1]);
  });

  it('keeps details canonical whatever order the keys were given in', () => {
    expect(canonicalDetailsJson({ b: 2, a: 'x', c: true })).toBe(canonicalDetailsJson({ c: true, a: 'x', b: 2 }));
    expect(canonicalDetailsJson({ b: 2, a: 'x', c: true })).toBe('{"a":"x","b":2,"c":true}');
  });
});
