import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/index.js';
import { silentLogger } from '../../src/log/logger.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { MetaNumber } from '../../src/store/meta-entry.js';
import { ManualClock } from '../../src/time/clock.js';
import { auditUpdateResult, type UpdateResult } from '../../src/update/index.js';
import { makeTempDirectory, type TempDirectory } from '../store/fixtures/temp-directory.js';

let temp: TempDirectory | undefined;
let database: GatewayDatabase | undefined;

afterEach(() => {
  database?.close();
  database = undefined;
  temp?.remove();
  temp = undefined;
});

const MARK_KEY = 'update.audited-result-at';

/** Opens the box's database (the same file on a second call in one test) with its audit log and the mark. */
function openBox() {
  temp ??= makeTempDirectory('hgw-update-audit-');
  database?.close();
  database = GatewayDatabase.open({ path: temp.databasePath, logger: silentLogger() });
  const clock = new ManualClock(new Date('2026-03-29T00:30:00Z'));
  const audit = new AuditLog({ database, clock });
  return { audit, mark: new MetaNumber(database, MARK_KEY) };
}

const at = (iso: string): number => new Date(iso).getTime();
const committed: UpdateResult = { at: at('2026-03-28T22:00:00Z'), outcome: 'committed', version: '1.4.0', message: 'version 1.4.0 passed its health check and is committed' };
const reverted: UpdateResult = { at: at('2026-03-29T01:10:00Z'), outcome: 'reverted', version: '1.4.0', code: 'HGW_UPDATE_STATE', message: 'reverted to 1.3.2' };

describe('update results in the audit log', () => {
  it('writes a commit as update.installed once, however often the state is read', () => {
    const { audit, mark } = openBox();
    expect(auditUpdateResult(committed, audit, mark)).toBe(true);
    expect(auditUpdateResult(committed, audit, mark)).toBe(false);
    const entries = audit.entries();
    expect(entries.map((entry) => [entry.action, entry.actorRole, entry.actorId])).toEqual([['update.installed', 'system', 'update']]);
    expect(entries[0]?.details).toEqual({ outcome: 'committed', version: '1.4.0', resultAt: '2026-03-28T22:00:00.000Z' });
    expect(audit.verify().ok).toBe(true);
  });

  it('writes a later revert by the start check as update.rolled-back, with its code', () => {
    const { audit, mark } = openBox();
    auditUpdateResult(committed, audit, mark);
    expect(auditUpdateResult(reverted, audit, mark)).toBe(true);
    expect(audit.entries().map((entry) => entry.action)).toEqual(['update.installed', 'update.rolled-back']);
    expect(audit.entries()[1]?.details).toMatchObject({ outcome: 'reverted', code: 'HGW_UPDATE_STATE' });
  });

  it('leaves out what does not change the running version: applied, received, refused, none yet', () => {
    const { audit, mark } = openBox();
    for (const outcome of ['applied', 'received', 'refused', 'failed', 'resumed'] as const) {
      expect(auditUpdateResult({ at: at('2026-03-28T10:00:00Z'), outcome, message: '' }, audit, mark)).toBe(false);
    }
    expect(auditUpdateResult(null, audit, mark)).toBe(false);
    expect(audit.count()).toBe(0);
    expect(mark.read()).toBeUndefined();
  });

  it('keeps its mark in the database, so a restart does not write the same result again', () => {
    const first = openBox();
    auditUpdateResult(reverted, first.audit, first.mark);
    const again = openBox();
    expect(auditUpdateResult(reverted, again.audit, again.mark)).toBe(false);
    expect(again.audit.count()).toBe(1);
  });
});
