import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IncidentRegister } from '../../src/incidents/index.js';
import { silentLogger } from '../../src/log/logger.js';
import { IncidentsRepository } from '../../src/store/incidents-repository.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { ManualClock } from '../../src/time/clock.js';

const HOUR = 3_600_000;
let root: string;
let database: GatewayDatabase;
let clock: ManualClock;
let register: IncidentRegister;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'hgw-incidents-'));
  database = GatewayDatabase.open({ path: join(root, 'gateway.db'), logger: silentLogger() });
  // Saturday 25 October 2025, the night the clocks go back: deadlines are elapsed hours all the same.
  clock = new ManualClock(new Date('2025-10-25T22:00:00Z'));
  register = new IncidentRegister({ incidents: new IncidentsRepository(database), clock, logger: silentLogger() });
});

afterEach(() => {
  database.close();
  rmSync(root, { recursive: true, force: true });
});

describe('the incident register', () => {
  it('flags an unreported incident as nearly due 48 hours after detection and overdue at 72 hours, across a DST change', () => {
    const { incident } = register.raise({ kind: 'integrity-failure', severity: 'high', summary: 'quick_check reported damage at start' });
    clock.advance(47 * HOUR);
    expect(register.alerts()).toEqual([]);
    clock.advance(2 * HOUR);
    expect(register.alerts()).toMatchObject([{ kind: 'nearly-due', incident: { id: incident.id }, dueAt: incident.detectedAt + 72 * HOUR }]);
    clock.advance(23 * HOUR);
    expect(register.alerts()).toMatchObject([{ kind: 'overdue', dueAt: Date.parse('2025-10-28T22:00:00Z') }]);
  });

  it('stops alerting once the authority was told, and keeps when the persons were notified', () => {
    const { incident } = register.raise({ kind: 'data-breach', severity: 'critical', summary: 'an export left the box unencrypted' });
    clock.advance(80 * HOUR);
    expect(register.alerts()).toHaveLength(1);
    register.assess(incident.id, 'contained; no contact data in the export');
    const reported = register.markReportedToAuthority(incident.id);
    clock.advance(HOUR);
    const notified = register.markPersonsNotified(incident.id);
    expect(register.alerts()).toEqual([]);
    expect(reported.reportedToAuthorityAt).toBe(Date.parse('2025-10-25T22:00:00Z') + 80 * HOUR);
    expect(notified).toMatchObject({ assessment: 'contained; no contact data in the export', notifiedPersonsAt: (reported.reportedToAuthorityAt ?? 0) + HOUR });
    expect(register.close(incident.id).closedAt).toBe(clock.now());
    expect(register.open()).toEqual([]);
  });

  it('folds a burst of automatic incidents of one kind within an hour into one, and opens a new one after', () => {
    const first = register.raise({ kind: 'login-burst', severity: 'medium', summary: '12 failed logins in 5 minutes' });
    clock.advance(20 * 60_000);
    const again = register.raise({ kind: 'login-burst', severity: 'medium', summary: '9 failed logins in 5 minutes' });
    expect(again).toEqual({ incident: first.incident, folded: true });
    clock.advance(HOUR);
    expect(register.raise({ kind: 'login-burst', severity: 'medium', summary: '7 failed logins in 5 minutes' }).folded).toBe(false);
    expect(register.countsByKind()).toEqual({ 'login-burst': 2 });
  });

  it('refuses a summary or assessment that holds a phone number, e-mail or IP address', () => {
    for (const summary of ['caller 06-1234 5678 threatened a volunteer', 'mail from kim@example.nl', 'logins from 192.0.2.10', 'from 2001:db8::1']) {
      expect(() => register.raise({ kind: 'other', severity: 'low', summary })).toThrow(/without the identifier/);
    }
    const { incident } = register.raise({ kind: 'other', severity: 'low', summary: 'a volunteer reported a threat' });
    expect(() => register.assess(incident.id, 'traced to +31612345678')).toThrow(/without the identifier/);
    expect(register.open()).toHaveLength(1);
  });

  it('gives every break-glass disclosure and every breach its own entry, however close together', () => {
    const first = register.raise({ kind: 'break-glass-disclosure', severity: 'high', summary: 'disclosure approved by two coordinators' });
    clock.advance(60_000);
    const second = register.raise({ kind: 'break-glass-disclosure', severity: 'high', summary: 'disclosure approved by two coordinators' });
    expect(second.folded).toBe(false);
    expect(second.incident.id).not.toBe(first.incident.id);
    expect(register.raise({ kind: 'data-breach', severity: 'critical', summary: 'one' }).folded).toBe(false);
    expect(register.raise({ kind: 'data-breach', severity: 'critical', summary: 'two' }).folded).toBe(false);
  });
});
