import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, describeVerification, verifyAuditLog, type AuditRecord } from '../../src/audit/index.js';
import { auditEntryHash, canonicalDetailsJson } from '../../src/audit/audit-entry.js';
import { silentLogger } from '../../src/log/index.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { ManualClock } from '../../src/time/index.js';
import { databaseFileBytes, makeTempDirectory, type TempDirectory } from '../store/fixtures/temp-directory.js';

let temp: TempDirectory;
let db: GatewayDatabase;
let audit: AuditLog;
let records: AuditRecord[];
const clock = new ManualClock(Date.UTC(2025, 5, 1, 8));

function openAt(journalMode: 'WAL' | 'TRUNCATE' = 'WAL'): void {
  db = GatewayDatabase.open({ path: temp.databasePath, logger: silentLogger(), journalMode });
  audit = new AuditLog({ database: db, clock });
}

/** Five entries of different kinds; entry 3 carries the distinctive `"rows":12345`. */
function appendFive(): AuditRecord[] {
  const appended = [
    audit.append({ actorRole: 'system', actorId: 'keyring', action: 'key.created', target: 'month:2025-06', details: { keyClass: 'link' } }),
    audit.append({ actorRole: 'volunteer', actorId: 'account:alice', action: 'login.succeeded' }),
    audit.append({ actorRole: 'system', actorId: 'sweeper', action: 'retention.run', details: { rows: 12345, epoch: '2024-12' } }),
    audit.append({ actorRole: 'supervisor', actorId: 'account:carol', action: 'moderation.timeout', target: 'K7Q-3F9', details: { hours: 24 } }),
    audit.append({ actorRole: 'coordinator', actorId: 'account:bob', action: 'export.written', target: 'request-12', details: { files: 2 } }),
  ];
  clock.advance(1000);
  return appended;
}

beforeEach(() => {
  temp = makeTempDirectory('hgw-audit-');
  openAt();
  records = appendFive();
});

afterEach(() => {
  if (db.isOpen) db.close();
  temp.remove();
});

describe('audit verify', () => {
  it('passes an untouched log and reports its count and head', () => {
    const verification = verifyAuditLog(db);
    expect(verification).toEqual({ ok: true, entries: 5, head: { seq: 5, hash: Buffer.from(records[4]!.hash).toString('hex') } });
    expect(describeVerification(verification)).toBe(`audit log intact: 5 entries, head #5 ${Buffer.from(records[4]!.hash).toString('hex')}`);
  });

  it('catches an edited details field', () => {
    db.run('UPDATE audit_log SET details = ? WHERE seq = 3', ['{"epoch":"2024-12","rows":12}']);
    const verification = verifyAuditLog(db);
    expect(verification).toMatchObject({ ok: false, seq: 3, reason: 'hash-mismatch', intactEntries: 2, intactHead: { seq: 2 } });
    expect(describeVerification(verification)).toBe('audit log broken at entry #3: its content does not match its hash (edited); 2 entries before it verified');
  });

  it('catches an edited actor', () => {
    db.run("UPDATE audit_log SET actor_id = 'account:mallory' WHERE seq = 4");
    expect(verifyAuditLog(db)).toMatchObject({ ok: false, seq: 4, reason: 'hash-mismatch' });
  });

  it('catches an edited timestamp and an edited role', () => {
    db.run("UPDATE audit_log SET at = '2025-06-01T07:00:00.000Z' WHERE seq = 2");
    expect(verifyAuditLog(db)).toMatchObject({ ok: false, seq: 2, reason: 'hash-mismatch' });
    db.run('UPDATE audit_log SET at = ? WHERE seq = 2', [records[1]!.at]);
    db.run("UPDATE audit_log SET actor_role = 'system' WHERE seq = 5");
    expect(verifyAuditLog(db)).toMatchObject({ ok: false, seq: 5, reason: 'hash-mismatch' });
  });

  it('catches an edit whose own hash was recomputed, at the entry after it', () => {
    const edited = { seq: 3, at: records[2]!.at, actorRole: 'system', actorId: 'sweeper', action: 'retention.run', target: null, detailsJson: '{"epoch":"2024-12","rows":1}' };
    db.run('UPDATE audit_log SET details = ?, hash = ? WHERE seq = 3', [edited.detailsJson, auditEntryHash(records[1]!.hash, edited)]);
    expect(verifyAuditLog(db)).toMatchObject({ ok: false, seq: 4, reason: 'broken-link', intactEntries: 3 });
  });

  it('catches a deleted middle entry', () => {
    db.run('DELETE FROM audit_log WHERE seq = 3');
    const verification = verifyAuditLog(db);
    expect(verification).toMatchObject({ ok: false, seq: 3, reason: 'missing-entry', intactEntries: 2 });
    expect(describeVerification(verification)).toBe('audit log broken at entry #3: it is missing (removed); 2 entries before it verified');
  });

  it('catches a deleted first entry', () => {
    db.run('DELETE FROM audit_log WHERE seq = 1');
    expect(verifyAuditLog(db)).toMatchObject({ ok: false, seq: 1, reason: 'missing-entry', intactEntries: 0, intactHead: null });
  });

  it('catches a deleted middle entry with the later ones renumbered', () => {
    db.run('DELETE FROM audit_log WHERE seq = 3');
    db.run('UPDATE audit_log SET seq = seq - 1 WHERE seq > 3');
    expect(verifyAuditLog(db)).toMatchObject({ ok: false, seq: 3, reason: 'broken-link' });
  });

  it('cannot see a deleted last entry from the chain alone, but its count and head differ from the anchor', () => {
    const anchor = audit.latest();
    db.run('DELETE FROM audit_log WHERE seq = 5');
    const verification = verifyAuditLog(db);
    // The known limit (docs/audit.md): a truncated chain is still a valid chain.
    expect(verification.ok).toBe(true);
    if (!verification.ok) return;
    expect(verification.entries).toBe(4);
    expect(verification.head).toEqual({ seq: 4, hash: Buffer.from(records[3]!.hash).toString('hex') });
    expect(verification.head).not.toEqual(anchor);
  });

  it('catches a deleted last entry, and an emptied log, when given the published anchor', () => {
    const anchor = audit.latest()!;
    db.run('DELETE FROM audit_log WHERE seq = 5');
    const verification = verifyAuditLog(db, { anchor });
    expect(verification).toMatchObject({ ok: false, seq: 5, reason: 'missing-entry', intactEntries: 4 });
    db.run('DELETE FROM audit_log');
    expect(verifyAuditLog(db)).toEqual({ ok: true, entries: 0, head: null });
    expect(verifyAuditLog(db, { anchor })).toMatchObject({ ok: false, seq: 1, reason: 'missing-entry', intactEntries: 0 });
  });

  it('catches a rewritten history whose every later hash was recomputed, only against the anchor', () => {
    const anchor = audit.latest()!;
    let prevHash = records[1]!.hash;
    for (const record of records.slice(2)) {
      const detailsJson = record.seq === 3 ? '{"epoch":"2024-12","rows":1}' : canonicalDetailsJson(record.details);
      const fields = { seq: record.seq, at: record.at, actorRole: record.actorRole, actorId: record.actorId, action: record.action, target: record.target, detailsJson };
      const hash = auditEntryHash(prevHash, fields);
      db.run('UPDATE audit_log SET details = ?, prev_hash = ?, hash = ? WHERE seq = ?', [detailsJson, prevHash, hash, record.seq]);
      prevHash = hash;
    }
    expect(verifyAuditLog(db)).toMatchObject({ ok: true, entries: 5 });
    expect(verifyAuditLog(db, { anchor })).toMatchObject({ ok: false, seq: 5, reason: 'anchor-mismatch', intactEntries: 4 });
  });

  it('accepts a log that has grown past its anchor', () => {
    const anchor = { seq: 3, hash: Buffer.from(records[2]!.hash).toString('hex') };
    expect(verifyAuditLog(db, { anchor })).toMatchObject({ ok: true, entries: 5 });
    expect(() => verifyAuditLog(db, { anchor: { seq: 3, hash: 'not-a-hash' } })).toThrow(TypeError);
  });

  it('catches two swapped entries', () => {
    db.transaction(() => {
      db.run('UPDATE audit_log SET seq = -1 WHERE seq = 2');
      db.run('UPDATE audit_log SET seq = 2 WHERE seq = 3');
      db.run('UPDATE audit_log SET seq = 3 WHERE seq = -1');
    });
    expect(verifyAuditLog(db)).toMatchObject({ ok: false, seq: 2, reason: 'broken-link', intactEntries: 1 });
  });

  it('catches a break on a page boundary', () => {
    db.run("UPDATE audit_log SET target = 'request-13' WHERE seq = 5");
    expect(verifyAuditLog(db, { pageSize: 2 })).toMatchObject({ ok: false, seq: 5, reason: 'hash-mismatch', intactEntries: 4 });
    expect(verifyAuditLog(db, { pageSize: 4 })).toMatchObject({ ok: false, seq: 5, reason: 'hash-mismatch', intactEntries: 4 });
  });

  it('reports a value of the wrong type as unreadable', () => {
    db.run("UPDATE audit_log SET details = x'7b7d' WHERE seq = 2");
    const verification = verifyAuditLog(db);
    expect(verification).toMatchObject({ ok: false, seq: 2, reason: 'unreadable', column: 'details' });
    expect(describeVerification(verification)).toContain('its details has the wrong type');
  });

  it('refuses to append after an unreadable head rather than chain onto it', () => {
    db.run("UPDATE audit_log SET action = x'35' WHERE seq = 5");
    expect(() => audit.append({ actorRole: 'system', actorId: 'gateway', action: 'key.created' })).toThrow(/audit entry #5: action cannot be read/);
  });

  describe.each(['WAL', 'TRUNCATE'] as const)('an edit made directly in the database file (%s)', (journalMode) => {
    it('is reported at the edited entry after the file is opened again', () => {
      db.close();
      temp.remove();
      temp = makeTempDirectory('hgw-audit-');
      openAt(journalMode);
      records = appendFive();
      db.checkpoint();
      db.close();

      const original = Buffer.from('"rows":12345');
      const forged = Buffer.from('"rows":12346');
      const files = databaseFileBytes(temp.databasePath);
      for (const [name, bytes] of files) {
        if (name !== 'gateway.db') expect(bytes.indexOf(original), `${name} still holds the entry`).toBe(-1);
      }
      const bytes = fs.readFileSync(temp.databasePath);
      const offset = bytes.indexOf(original);
      expect(offset).toBeGreaterThan(0);
      expect(bytes.indexOf(original, offset + 1)).toBe(-1);
      forged.copy(bytes, offset);
      fs.writeFileSync(temp.databasePath, bytes);

      openAt(journalMode);
      expect(db.quickCheck()).toBe('ok'); // SQLite itself sees nothing wrong
      expect(db.get<{ details: string }>('SELECT details FROM audit_log WHERE seq = 3')?.details).toBe('{"epoch":"2024-12","rows":12346}');
      const verification = audit.verify();
      expect(verification).toMatchObject({ ok: false, seq: 3, reason: 'hash-mismatch', intactEntries: 2 });
    });
  });
});
