import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isGatewayError } from '../../src/errors.js';
import { IncidentRegister, type IncidentPeriodCounts } from '../../src/incidents/index.js';
import { silentLogger } from '../../src/log/logger.js';
import { IncidentsRepository } from '../../src/store/incidents-repository.js';
import { OutboxRepository } from '../../src/store/outbox-repository.js';
import { StatsRepository } from '../../src/store/stats-repository.js';
import { ManualClock } from '../../src/time/clock.js';
import { IncidentReport, type IncidentCountsSource } from '../../src/upstream/incident-report.js';
import { StatsAggregator } from '../../src/upstream/stats-aggregator.js';
import { incidentTopic, validateOutgoing } from '../../src/upstream/topics.js';
import { HOUR, SITE, TempStore, testProtector, testSettings } from './upstream-fixture.js';

// Monday 2 June 2025, 10:00 in Amsterdam.
const PERIOD_START = Date.parse('2025-06-02T08:00:00Z');
const PLANTED = 'volunteer Marit saw the caller threaten a classmate';
const session = randomUUID();

let store: TempStore;
let clock: ManualClock;
let register: IncidentRegister;

beforeEach(() => {
  store = new TempStore();
  clock = new ManualClock(PERIOD_START + 10 * 60_000);
  register = new IncidentRegister({ incidents: new IncidentsRepository(store.db), clock, logger: silentLogger() });
});

afterEach(() => store.cleanup());

function aggregator(incidents: IncidentCountsSource = register): StatsAggregator {
  const report = new IncidentReport({ site: SITE, session, timeZone: testSettings.timeZone, periodLength: testSettings.periodLength, incidents });
  return new StatsAggregator({
    database: store.db,
    stats: new StatsRepository(store.db),
    outbox: new OutboxRepository(store.db),
    clock,
    logger: silentLogger(),
    settings: { ...testSettings, firstPeriodFrom: PERIOD_START },
    session,
    alongside: [report],
    protector: testProtector,
  });
}

function incidentPayloads(): Array<Record<string, unknown>> {
  return store.outbox
    .oldest(1_000)
    .filter((row) => row.topic === incidentTopic(SITE))
    .map((row) => JSON.parse(row.payload) as Record<string, unknown>);
}

describe('incident counts upstream', () => {
  it('follows each closed stats period with an incident message of counts per kind and severity, and nothing of the text', async () => {
    const { incident } = register.raise({ kind: 'data-breach', severity: 'critical', summary: PLANTED });
    register.assess(incident.id, 'assessed by Marit: contained within the hour');
    register.raise({ kind: 'login-burst', severity: 'medium', summary: '5 failed logins within 15 minutes against one account' });
    clock.set(PERIOD_START + HOUR + 1);

    expect(await aggregator().closeDuePeriods()).toBe(1);
    const rows = store.outbox.oldest(10);
    expect(rows.map((row) => row.topic)).toEqual([`helpline/v1/${SITE}/stats`, `helpline/v1/${SITE}/incident`]);
    expect(rows[1]).toMatchObject({ qos: 1, retain: false });
    expect(JSON.parse(rows[1]?.payload ?? '')).toEqual({
      schema: 'helpline.incident/1',
      site: SITE,
      session,
      seq: 2,
      period: { start: '2025-06-02T10:00:00+02:00', end: '2025-06-02T11:00:00+02:00', length: 'hour' },
      detectedByKind: { 'login-burst': 1, 'integrity-failure': 0, 'keyring-permissions': 0, tamper: 0, 'break-glass-disclosure': 0, 'data-breach': 1, other: 0 },
      detectedBySeverity: { low: 0, medium: 1, high: 0, critical: 1 },
      open: 2,
      overdueUnreported: 0,
    });
    for (const row of rows) {
      // The exact toEqual above is the real proof; this scan says what it is about.
      for (const secret of [PLANTED, 'Marit', 'contained', 'failed logins', 'summary', 'assessment', String(incident.detectedAt), '10:10', '08:10']) {
        expect(row.payload).not.toContain(secret);
      }
    }
  });

  it('publishes every period, zeros included, and counts an unreported incident as overdue from its 73rd hour on', async () => {
    register.raise({ kind: 'tamper', severity: 'critical', summary: 'the case was opened' });
    clock.set(PERIOD_START + 74 * HOUR);
    const closer = aggregator();
    expect(await closer.closeDuePeriods()).toBe(74);
    const payloads = incidentPayloads();
    expect(payloads).toHaveLength(74);
    expect(payloads.map((payload) => payload['seq'])).toEqual(Array.from({ length: 74 }, (_, i) => 2 * i + 2));
    expect(payloads.map((payload) => (payload['detectedByKind'] as Record<string, number>)['tamper'])).toEqual([1, ...Array<number>(73).fill(0)]);
    expect(payloads.map((payload) => payload['open'])).toEqual(Array<number>(74).fill(1));
    // Detected at 10:10 on day one: the deadline passes at 10:10 three days later, inside the 72nd hour after 10:00.
    expect(payloads.map((payload) => payload['overdueUnreported'])).toEqual([...Array<number>(72).fill(0), 1, 1]);
  });

  it('leaves the period open, stats included, when the incident counts cannot be read, and closes it on the next run', async () => {
    clock.set(PERIOD_START + HOUR + 1);
    let broken = true;
    const flaky: IncidentCountsSource = {
      countsForPeriod: (period): IncidentPeriodCounts => {
        if (broken) throw new Error('incidents table unreadable');
        return register.countsForPeriod(period);
      },
    };
    const closer = aggregator(flaky);
    await expect(closer.closeDuePeriods()).rejects.toThrow('incidents table unreadable');
    expect(store.outbox.count()).toBe(0);
    expect(new StatsRepository(store.db).lastClosedEnd()).toBeUndefined();
    broken = false;
    expect(await closer.closeDuePeriods()).toBe(1);
    expect(store.outbox.oldest(10).map((row) => row.topic.split('/').at(-1))).toEqual(['stats', 'incident']);
  });

  it('refuses an incident payload with a summary, an id, an unknown kind, a missing kind or more overdue than open', () => {
    const valid = {
      schema: 'helpline.incident/1',
      site: SITE,
      session,
      seq: 3,
      period: { start: '2025-06-02T10:00:00+02:00', end: '2025-06-02T11:00:00+02:00', length: 'hour' },
      detectedByKind: { 'login-burst': 0, 'integrity-failure': 0, 'keyring-permissions': 0, tamper: 0, 'break-glass-disclosure': 0, 'data-breach': 0, other: 0 },
      detectedBySeverity: { low: 0, medium: 0, high: 0, critical: 0 },
      open: 1,
      overdueUnreported: 1,
    };
    const code = (payload: unknown): string | undefined => {
      try {
        validateOutgoing(incidentTopic(SITE), JSON.stringify(payload));
        return undefined;
      } catch (error) {
        return isGatewayError(error) ? error.code : 'not a GatewayError';
      }
    };
    expect(code(valid)).toBeUndefined();
    const { other: _other, ...missingKind } = valid.detectedByKind;
    for (const refused of [
      { ...valid, summary: PLANTED },
      { ...valid, incidents: [{ id: 4 }] },
      { ...valid, detectedByKind: { ...valid.detectedByKind, 'phone-leak': 1 } },
      { ...valid, detectedByKind: missingKind },
      { ...valid, detectedBySeverity: { ...valid.detectedBySeverity, low: 1.5 } },
      { ...valid, overdueUnreported: 2 },
      { ...valid, site: 'another-site' },
    ]) {
      expect(code(refused)).toBe('HGW_UPSTREAM_PAYLOAD');
    }
  });
});
