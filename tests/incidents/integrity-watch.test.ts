import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IntegrityWatch } from '../../src/incidents/index.js';
import { silentLogger } from '../../src/log/logger.js';
import { openIncidentFixture, type IncidentFixture } from './incident-fixture.js';

let fixture: IncidentFixture;
let watch: IntegrityWatch;

beforeEach(() => {
  fixture = openIncidentFixture();
  for (const month of ['2025-07', '2025-08', '2025-09', '2025-10']) {
    fixture.audit.append({ actorRole: 'system', actorId: 'retention', action: 'key.shredded', details: { family: 'link', month } });
  }
  watch = new IntegrityWatch({ database: fixture.database, audit: fixture.audit, incidents: fixture.register, logger: silentLogger(), intervalMs: 60_000 });
});

afterEach(async () => {
  await watch.stop();
  fixture.cleanup();
});

describe('the integrity watch', () => {
  it('raises nothing while quick_check and the audit chain are sound', async () => {
    await watch.start();
    expect(watch.check()).toEqual({ failures: [], raised: false });
    expect(fixture.incidents()).toEqual([]);
  });

  it('raises a high integrity-failure naming the audit check and the first broken seq, after an edit of audit_log in the database file', async () => {
    await watch.start();
    // What someone with the file and sqlite3 could do: change an entry behind the chain's back.
    fixture.database.run("UPDATE audit_log SET details = ? WHERE seq = 3", ['{"family":"link","month":"2025-01"}']);
    const result = watch.check();
    expect(result).toEqual({ failures: ['audit log verification failed at entry 3 (hash-mismatch)'], raised: true });
    const [incident, ...others] = fixture.incidents();
    expect(others).toEqual([]);
    expect(incident).toMatchObject({ kind: 'integrity-failure', severity: 'high', summary: 'audit log verification failed at entry 3 (hash-mismatch)' });
    expect(incident?.summary).not.toMatch(/2025|link|family/);
  });

  it('leaves quick_check to the opening of the store when given no database, and still watches the audit chain', () => {
    let quickChecks = 0;
    const counting = { quickCheck: () => String(++quickChecks) };
    const auditOnly = new IntegrityWatch({ audit: fixture.audit, incidents: fixture.register, logger: silentLogger() });
    expect(auditOnly.check()).toEqual({ failures: [], raised: false });
    const withDatabase = new IntegrityWatch({ database: counting, audit: fixture.audit, incidents: fixture.register, logger: silentLogger() });
    expect(withDatabase.check().failures).toEqual(['database quick_check failed with 1 problem']);
    expect(quickChecks).toBe(1);
    fixture.database.run("UPDATE audit_log SET actor_id = 'account:mallory' WHERE seq = 2");
    expect(auditOnly.check().failures).toEqual(['audit log verification failed at entry 2 (hash-mismatch)']);
  });

  it('raises the same failure once, not on every run, and again after it was repaired and broke anew', () => {
    const original = fixture.audit.entries()[1]?.actorId;
    fixture.database.run("UPDATE audit_log SET actor_id = 'account:mallory' WHERE seq = 2");
    expect(watch.check().raised).toBe(true);
    fixture.clock.advance(3 * 24 * 3_600_000);
    expect(watch.check()).toMatchObject({ failures: ['audit log verification failed at entry 2 (hash-mismatch)'], raised: false });
    expect(fixture.incidents()).toHaveLength(1);

    fixture.database.run('UPDATE audit_log SET actor_id = ? WHERE seq = 2', [original ?? '']);
    expect(watch.check()).toEqual({ failures: [], raised: false });
    fixture.database.run("UPDATE audit_log SET actor_id = 'account:mallory' WHERE seq = 2");
    expect(watch.check().raised).toBe(true);
    expect(fixture.incidents()).toHaveLength(2);
  });

  it('catches a rewritten tail between two runs through the head it verified last time', () => {
    expect(watch.check().raised).toBe(false);
    // Removing the newest entry leaves a chain that holds together on its own.
    fixture.database.run('DELETE FROM audit_log WHERE seq = 4');
    expect(fixture.audit.verify().ok).toBe(true);
    expect(watch.check()).toEqual({ failures: ['audit log verification failed at entry 4 (missing-entry)'], raised: true });
  });

  it('raises when quick_check reports damage, with the number of problems and not their text', () => {
    const damaged = { quickCheck: () => '*** in database main ***\nPage 7: btreeInitPage() returns error code 11' };
    const failing = new IntegrityWatch({ database: damaged, audit: fixture.audit, incidents: fixture.register, logger: silentLogger() });
    expect(failing.check()).toEqual({ failures: ['database quick_check failed with 2 problems'], raised: true });
    expect(fixture.incidents()).toMatchObject([{ kind: 'integrity-failure', severity: 'high', summary: 'database quick_check failed with 2 problems' }]);
  });

  it('names both checks in one incident when both fail', () => {
    fixture.database.run("UPDATE audit_log SET actor_id = 'account:mallory' WHERE seq = 1");
    const failing = new IntegrityWatch({ database: { quickCheck: () => 'row 3 missing from index contacts_reference' }, audit: fixture.audit, incidents: fixture.register, logger: silentLogger() });
    expect(failing.check().raised).toBe(true);
    expect(fixture.incidents().map((incident) => incident.summary)).toEqual([
      'database quick_check failed with 1 problem; audit log verification failed at entry 1 (hash-mismatch)',
    ]);
  });
});
