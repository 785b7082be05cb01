import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IncidentRegister } from '../../src/incidents/index.js';
import { silentLogger } from '../../src/log/logger.js';
import { IncidentsRepository } from '../../src/store/incidents-repository.js';
import { ManualClock } from '../../src/time/clock.js';
import { UpstreamService } from '../../src/upstream/upstream-service.js';
import { freePort, MosquittoProcess, Subscriber } from './mqtt-harness.js';
import { HOUR, SITE, TempStore, testSettings } from './upstream-fixture.js';
import { waitFor } from '../support/wait-for.js';

const PERIOD_START = Date.parse('2025-06-02T08:00:00Z');
const PLANTED = 'coordinator Jeroen found the back door of the office forced';

describe('incident counts against real Mosquitto', () => {
  let dir: string;
  let mosquitto: MosquittoProcess;
  let store: TempStore;
  let service: UpstreamService | undefined;
  let central: Subscriber | undefined;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hgw-mosquitto-incident-'));
    mosquitto = new MosquittoProcess(dir, await freePort());
    await mosquitto.start();
    store = new TempStore();
  });

  afterEach(async () => {
    await service?.stop();
    await central?.close();
    await mosquitto.stop();
    store.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('delivers the incident message of a closed period with QoS 1, counts only, and empties the outbox after PUBACK', async () => {
    const clock = new ManualClock(PERIOD_START + 5 * 60_000);
    const register = new IncidentRegister({ incidents: new IncidentsRepository(store.db), clock, logger: silentLogger() });
    register.raise({ kind: 'tamper', severity: 'critical', summary: PLANTED });
    clock.set(PERIOD_START + HOUR + 1);

    central = await Subscriber.connect(mosquitto.url, `helpline/v1/${SITE}/#`);
    const { site: _site, ...stats } = testSettings;
    service = new UpstreamService({
      database: store.db,
      clock,
      logger: silentLogger(),
      site: SITE,
      stats: { ...stats, firstPeriodFrom: PERIOD_START },
      mqtt: { url: mosquitto.url, firmware: '0.1.0', reconnectInitialMs: 50, reconnectMaxMs: 200, stopTimeoutMs: 2_000 },
      incidents: register,
    });
    await service.start();

    await waitFor(() => central!.on('incident').length === 1 && store.outbox.count() === 0, 'incident delivered and outbox emptied');
    const [message] = central.on('incident');
    expect(message?.topic).toBe(`helpline/v1/${SITE}/incident`);
    expect(message?.qos).toBe(1);
    expect(message?.payload).toMatchObject({
      schema: 'helpline.incident/1',
      site: SITE,
      session: service.session,
      seq: 2,
      period: { start: '2025-06-02T10:00:00+02:00', end: '2025-06-02T11:00:00+02:00', length: 'hour' },
      detectedBySeverity: { low: 0, medium: 0, high: 0, critical: 1 },
      open: 1,
      overdueUnreported: 0,
    });
    expect(message?.payload['detectedByKind']).toMatchObject({ tamper: 1, 'data-breach': 0 });
    expect(central.on('stats').map((m) => m.payload['seq'])).toEqual([1]);
    const everything = JSON.stringify(central.messages);
    for (const secret of [PLANTED, 'Jeroen', 'back door']) expect(everything).not.toContain(secret);
  });
});
