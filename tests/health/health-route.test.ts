import { afterEach, describe, expect, it } from 'vitest';
import { FaultRegister, healthReport, type HealthReport } from '../../src/health/index.js';
import { createLogger, silentLogger } from '../../src/log/logger.js';
import { FakePanel, MaintenanceMode } from '../../src/panel/index.js';
import { StationServer } from '../../src/stations/index.js';
import { ManualScheduler } from '../../src/time/scheduler.js';
import { UPSTREAM_SCHEMA_IDS } from '../../src/upstream/index.js';
import { deskFixture, type DeskFixture } from '../contacts/desk-fixture.js';
import { CoordinatorClient, DESK_TOKEN } from '../support/coordinator-fixture.js';
import { probeFor, scanBytes, type KnownNumber } from '../support/identifier-scanner.js';
import { fakeCoordinatorBackend } from '../stations/coordinator-fake-backend.js';
import { FakeStationBackend } from '../stations/fake-station-backend.js';

const MOBILE: KnownNumber = { name: 'Dutch mobile', e164: '+31612345678', countryCode: '31', areaCodeLength: 1 };
let desk: DeskFixture | undefined;
let server: StationServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
  desk?.close();
  desk = undefined;
});

async function boxWithHealth() {
  const d = (desk = deskFixture(new Date('2026-03-02T09:00:00Z')));
  const scheduler = new ManualScheduler(d.clock);
  const faults = new FaultRegister({ clock: d.clock, logger: silentLogger() });
  const panel = new FakePanel({ scheduler });
  await panel.start();
  panel.setLed('ready', 'on');
  const maintenance = new MaintenanceMode({ clock: d.clock, scheduler, logger: silentLogger(), audit: d.audit });
  const startedAt = d.clock.now();
  const report = (): HealthReport =>
    healthReport({
      clock: d.clock,
      startedAt,
      firmware: () => '0.2.0',
      databaseSchema: () => d.database.schemaVersion(),
      upstreamSchemas: UPSTREAM_SCHEMA_IDS,
      disk: () => ({ freeBytes: 88 * 1024 * 1024, totalBytes: 29_822 * 1024 * 1024 }),
      outbox: () => 3,
      chatQueue: () => 1,
      mailsUndelivered: () => 0,
      contactsLive: () => d.desk.openContacts().filter((view) => view.state === 'ringing' || view.state === 'live').length,
      lastRetentionRun: () => d.sweeper.lastRun(),
      openIncidents: () => {
        throw new Error('the store refused the count');
      },
      faults: () => faults.codes(),
      intakeOpen: () => faults.accepting(),
      maintenanceUntil: () => maintenance.until(),
      panel: () => ({ kind: panel.kind, connection: panel.connection(), leds: panel.leds() }),
    });
  const backend = fakeCoordinatorBackend();
  const coordinator = { ...backend, system: { ...backend.system, report } };
  server = new StationServer({ backend: new FakeStationBackend(), stations: [DESK_TOKEN], host: '127.0.0.1', port: 0, logger: createLogger({ level: 'silent' }), coordinator });
  const { url } = await server.start();
  return { d, url, faults, maintenance, scheduler };
}

async function get(url: string, accountId?: string) {
  const client = new CoordinatorClient(url);
  if (accountId) expect((await client.login(accountId)).status).toBe(200);
  return client.send<HealthReport>('GET', '/health');
}

describe('GET /health', () => {
  it('answers the technician and the coordinator, nobody else', async () => {
    const { url } = await boxWithHealth();
    expect((await get(url, 'tom')).status).toBe(200);
    expect((await get(url, 'anna')).status).toBe(200);
    expect((await get(url, 'vera')).status).toBe(403);
    expect((await get(url, 'sam')).status).toBe(403);
    expect((await get(url)).status).toBe(401);
  });

  it('reports versions, uptime, space, queues, retention, incidents, faults, maintenance and the panel, and nothing about a caller', async () => {
    const { d, url, faults, maintenance, scheduler } = await boxWithHealth();
    const call = d.call('0612345678');
    await d.sweeper.sweep();
    scheduler.advance(90_000);
    faults.raise('HGW_DISK_FULL');
    maintenance.enter();
    const response = await get(url, 'tom');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body).toEqual({
      at: '2026-03-02T09:01:30.000Z',
      firmware: '0.2.0',
      node: process.version,
      schemas: { database: d.database.schemaVersion(), upstream: UPSTREAM_SCHEMA_IDS },
      startedAt: '2026-03-02T09:00:00.000Z',
      uptimeSeconds: 90,
      disk: { freeBytes: 88 * 1024 * 1024, totalBytes: 29_822 * 1024 * 1024 },
      queues: { outbox: 3, chatQueue: 1, mailsUndelivered: 0, contactsLive: 1 },
      retention: { lastRunAt: '2026-03-02T09:00:00.000Z', outcome: 'ok' },
      incidents: { open: null },
      faults: ['HGW_DISK_FULL'],
      intake: 'stopped',
      maintenance: { active: true, until: '2026-03-02T09:31:30.000Z' },
      panel: { kind: 'fake', connection: 'connected', leds: { ready: 'on', line: 'off', upstream: 'off', fault: 'off' } },
    });
    // The caller's number in no rendering, and not the contact's reference either.
    expect(scanBytes('/health', Buffer.from(response.text), [probeFor(MOBILE)])).toEqual([]);
    expect(response.text).not.toContain(call.reference);
  });
});
