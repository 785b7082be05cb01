import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IncidentsRepository } from '../../src/store/incidents-repository.js';
import { HOUR, MINUTE, openIncidentFixture, type IncidentFixture } from './incident-fixture.js';

let fixture: IncidentFixture;

beforeEach(() => {
  fixture = openIncidentFixture(new Date('2026-02-02T09:00:00Z'));
});

afterEach(() => fixture.cleanup());

describe('the register as the automatic detectors use it', () => {
  it('gives every tamper its own incident, however close together: each opening of the case is its own event', () => {
    const first = fixture.register.raise({ kind: 'tamper', severity: 'critical', summary: 'the case was opened' });
    fixture.clock.advance(MINUTE);
    const second = fixture.register.raise({ kind: 'tamper', severity: 'critical', summary: 'the case was opened' });
    expect(second.folded).toBe(false);
    expect(second.incident.id).not.toBe(first.incident.id);
  });

  it('writes incident.raised with kind and severity only, and rolls the incident back with a failing caller', () => {
    const { incident } = fixture.register.raise({ kind: 'data-breach', severity: 'critical', summary: 'a laptop with an export was stolen' });
    expect(fixture.audit.entries()).toMatchObject([{ action: 'incident.raised', actorId: 'incidents', target: `incident-${incident.id}`, details: { kind: 'data-breach', severity: 'critical' } }]);
    expect(JSON.stringify(fixture.audit.entries())).not.toContain('laptop');

    expect(() =>
      fixture.database.transaction(() => {
        fixture.register.raise({ kind: 'other', severity: 'low', summary: 'rolled back with its caller' });
        throw new Error('the caller failed');
      }),
    ).toThrow('the caller failed');
    expect(fixture.incidents()).toHaveLength(1);
    expect(fixture.audit.count()).toBe(1);
  });

  it('counts a period by kind and severity, and open and overdue as they stood at its end', () => {
    const start = fixture.clock.now();
    const end = start + 24 * HOUR;
    const repository = new IncidentsRepository(fixture.database);
    // Before the period: one still open and past its deadline at the end, one reported in time, one closed inside it.
    const overdue = repository.insert({ kind: 'data-breach', severity: 'critical', summary: 'old breach', detectedAt: start - 60 * HOUR });
    const reported = repository.insert({ kind: 'data-breach', severity: 'high', summary: 'reported breach', detectedAt: start - 60 * HOUR });
    repository.update(reported, { reportedToAuthorityAt: start - 10 * HOUR });
    const closed = repository.insert({ kind: 'other', severity: 'low', summary: 'closed', detectedAt: start - HOUR });
    repository.update(closed, { closedAt: start + HOUR });
    // Reported and closed only after the end: at the end it was still open and overdue.
    repository.update(overdue, { reportedToAuthorityAt: end + HOUR, closedAt: end + 2 * HOUR });
    // Inside the period, one of a kind this build no longer knows.
    fixture.clock.advance(HOUR);
    fixture.register.raise({ kind: 'login-burst', severity: 'medium', summary: '5 failed logins within 15 minutes against one account' });
    fixture.register.raise({ kind: 'keyring-permissions', severity: 'high', summary: 'keyring permissions changed' });
    repository.insert({ kind: 'retired-kind', severity: 'low', summary: 'from an older build', detectedAt: start + 2 * HOUR });
    // At the very end: the next period's.
    repository.insert({ kind: 'tamper', severity: 'critical', summary: 'the case was opened', detectedAt: end });

    expect(fixture.register.countsForPeriod({ start, end })).toEqual({
      detectedByKind: {
        'login-burst': 1,
        'integrity-failure': 0,
        'keyring-permissions': 1,
        tamper: 0,
        'break-glass-disclosure': 0,
        'data-breach': 0,
        other: 1,
      },
      detectedBySeverity: { low: 1, medium: 1, high: 1, critical: 0 },
      open: 5,
      overdueUnreported: 1,
    });
  });
});
