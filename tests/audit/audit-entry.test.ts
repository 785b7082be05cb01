import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, type NewAuditEntry } from '../../src/audit/index.js';
import { encodeAuditEntry, type HashedAuditFields } from '../../src/audit/audit-entry.js';
import { silentLogger } from '../../src/log/index.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { ManualClock } from '../../src/time/index.js';
import { databaseFileBytes, makeTempDirectory, type TempDirectory } from '../store/fixtures/temp-directory.js';

let temp: TempDirectory;
let db: GatewayDatabase;
let audit: AuditLog;

beforeEach(() => {
  temp = makeTempDirectory('hgw-audit-');
  db = GatewayDatabase.open({ path: temp.databasePath, logger: silentLogger() });
  audit = new AuditLog({ database: db, clock: new ManualClock(Date.UTC(2025, 0, 15, 12)) });
});

afterEach(() => {
  db.close();
  temp.remove();
});

const base: NewAuditEntry = { actorRole: 'coordinator', actorId: 'account:bob', action: 'request.answered' };

/** Identifiers in the shapes a careless caller might pass them. */
const identifiers = [
  '0612345678',
  '+31612345678',
  '06 12 34 56 78',
  '06-12 34 56 78',
  '+31-6-1234-5678',
  '(020) 123.4567',
  '612345',
  'caller 123456 again',
  'kid@example.nl',
  'someone@',
  '192.168.1.20',
  'from 10.0.0.7',
  '2001:db8::1',
  'fe80::1',
];

describe('the audit log refuses identifiers', () => {
  it.each(identifiers)('refuses %j as a details value, naming the key and not the value', (value) => {
    let thrown: unknown;
    try {
      audit.append({ ...base, details: { note: value } });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    const message = (thrown as TypeError).message;
    expect(message).toContain('details.note');
    expect(message).not.toContain(value);
    expect(audit.count()).toBe(0);
  });

  it.each(identifiers)('refuses %j as a target', (value) => {
    expect(() => audit.append({ ...base, target: value })).toThrow(TypeError);
    expect(audit.count()).toBe(0);
  });

  it.each(['request-0612345678', 'account:kid@example.nl', 'account:10.0.0.7', 'request 12', 'K7Q-3F0', 'Request-12', ''])('refuses %j as a target: not a contact reference or plain id', (value) => {
    expect(() => audit.append({ ...base, target: value })).toThrow(TypeError);
  });

  it.each(['kid@example.nl', '0612345678', 'account:192.168.1.2', 'Bob Smith'])('refuses %j as an actor id', (value) => {
    expect(() => audit.append({ ...base, actorId: value })).toThrow(TypeError);
  });

  it('refuses a number long enough to be a phone number, and one that is not finite', () => {
    expect(() => audit.append({ ...base, details: { count: 612345678 } })).toThrow(TypeError);
    expect(() => audit.append({ ...base, details: { count: 21234567 } })).toThrow(TypeError); // a Belgian landline without its 0
    expect(() => audit.append({ ...base, details: { count: Number.NaN } })).toThrow(TypeError);
    expect(() => audit.append({ ...base, details: { count: Number.POSITIVE_INFINITY } })).toThrow(TypeError);
  });

  it('refuses values that are not numbers, strings or booleans, and free text', () => {
    const nested = { note: { number: '0612345678' } } as unknown as NewAuditEntry['details'];
    expect(() => audit.append({ ...base, details: nested })).toThrow(TypeError);
    expect(() => audit.append({ ...base, details: { note: 'x'.repeat(121) } })).toThrow(TypeError);
    expect(() => audit.append({ ...base, details: { 'Bad Key': 1 } })).toThrow(TypeError);
  });

  it('refuses an unknown action or role', () => {
    expect(() => audit.append({ ...base, action: 'number.seen' as NewAuditEntry['action'] })).toThrow(TypeError);
    expect(() => audit.append({ ...base, actorRole: 'caller' as NewAuditEntry['actorRole'] })).toThrow(TypeError);
  });

  it('accepts contact references, plain ids, counts and codes', () => {
    const targets = ['K7Q-3F9', 'request-12', 'incident-3', 'account:alice', 'month:2025-03', 'desk-1'];
    for (const target of targets) audit.append({ ...base, target });
    audit.append({ ...base, details: { rows: 9_999_999, epoch: '2025-03', date: '2025-03-01', outcome: 'advice', late: false, ratio: 0.25 } });
    expect(audit.entries().map((entry) => entry.target)).toEqual([...targets, null]);
    expect(audit.verify()).toMatchObject({ ok: true, entries: targets.length + 1 });
  });

  it('leaves no refused value anywhere in the database files', () => {
    audit.append({ ...base, details: { rows: 3 } });
    expect(() => audit.append({ ...base, details: { note: 'kid@example.nl' } })).toThrow(TypeError);
    db.checkpoint();
    for (const bytes of databaseFileBytes(temp.databasePath).values()) expect(bytes.indexOf('kid@example.nl')).toBe(-1);
  });
});

describe('the canonical encoding', () => {
  const fields: HashedAuditFields = {
    seq: 1,
    at: '2025-01-15T12:00:00.000Z',
    actorRole: 'system',
    actorId: 'ab',
    action: 'key.created',
    target: 'cd',
    detailsJson: '{}',
  };

  it('tells fields apart whatever their text: moving a boundary changes the encoding', () => {
    const moved = { ...fields, actorId: 'a', action: 'bkey.created' };
    expect(Buffer.from(encodeAuditEntry(moved)).equals(Buffer.from(encodeAuditEntry(fields)))).toBe(false);
  });

  it('tells a missing target from an empty one', () => {
    expect(Buffer.from(encodeAuditEntry({ ...fields, target: null })).equals(Buffer.from(encodeAuditEntry({ ...fields, target: '' })))).toBe(false);
  });
});
