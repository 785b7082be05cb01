import { request as httpRequest } from 'node:http';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index.js';
import { CSRF_HEADER, SESSION_COOKIE, StationServer } from '../../src/stations/index.js';
import type { Scheduler } from '../../src/time/scheduler.js';
import { applyUpdate, DEFAULT_BUNDLE_LIMITS, NodeUpdateFiles, UpdateIntake } from '../../src/update/index.js';
import { CoordinatorClient, DESK_TOKEN } from '../support/coordinator-fixture.js';
import { MaintenanceModeDouble } from '../support/maintenance-mode-double.js';
import { boxFixture, HARDWARE, makeBundle, type Box } from '../update/update-fixture.js';
import { fakeCoordinatorBackend, type FakeCoordinatorBackend } from './coordinator-fake-backend.js';
import { FakeStationBackend } from './fake-station-backend.js';

/** Timers the test fires by hand; `armed()` resolves when the next one is set. */
class HandScheduler implements Scheduler {
  readonly tasks: { task: () => void; cancelled: boolean }[] = [];
  #waiters: (() => void)[] = [];

  after(_milliseconds: number, task: () => void): () => void {
    const entry = { task, cancelled: false };
    this.tasks.push(entry);
    for (const wake of this.#waiters.splice(0)) wake();
    return () => {
      entry.cancelled = true;
    };
  }

  armed(count: number): Promise<void> {
    return this.tasks.length >= count ? Promise.resolve() : new Promise<void>((resolve) => this.#waiters.push(() => void this.armed(count).then(resolve)));
  }

  fireLive(): void {
    for (const entry of this.tasks.filter((candidate) => !candidate.cancelled)) entry.task();
  }
}

const MAX_BYTES = 1024 * 1024;
let box: Box;
let server: StationServer;
let url: string;
let maintenance: MaintenanceModeDouble;
let scheduler: HandScheduler;
let backend: FakeCoordinatorBackend;

beforeEach(async () => {
  box = boxFixture();
  maintenance = new MaintenanceModeDouble(true);
  scheduler = new HandScheduler();
  backend = fakeCoordinatorBackend();
  const intake = new UpdateIntake({
    files: new NodeUpdateFiles(),
    paths: box.paths,
    maintenance,
    installedVersion: '1.0.0',
    hardwareId: HARDWARE,
    limits: { ...DEFAULT_BUNDLE_LIMITS, maxBundleBytes: MAX_BYTES },
    uploadIdleMs: 30_000,
    maxStartAttempts: 3,
    clock: backend.clock,
    scheduler,
    logger: createLogger({ level: 'silent' }),
  });
  server = new StationServer({ backend: new FakeStationBackend(), stations: [DESK_TOKEN], host: '127.0.0.1', port: 0, logger: createLogger({ level: 'silent' }), coordinator: { ...backend, update: intake } });
  url = (await server.start()).url;
});

afterEach(async () => {
  await server.stop();
  box.cleanup();
});

async function loggedIn(accountId: string): Promise<CoordinatorClient> {
  const client = new CoordinatorClient(url);
  expect((await client.login(accountId)).status).toBe(200);
  return client;
}

/** A raw POST of the bundle route, so the body can be endless, stall, or lie about its length. */
function upload(client: CoordinatorClient, body: Readable | Uint8Array, headers: Record<string, string> = {}): Promise<{ status: number; body: { code?: string; message?: string; version?: string } }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}/api/v1/update/bundle`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', cookie: `${SESSION_COOKIE}=${client.cookie ?? ''}`, [CSRF_HEADER]: client.csrfToken ?? '', ...headers },
    });
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        request.destroy();
        resolve({ status: response.statusCode ?? 0, body: text === '' ? {} : (JSON.parse(text) as { code?: string }) });
      });
    });
    // The server may close the connection while an endless body is still being written.
    request.on('error', (error) => (request.destroyed ? undefined : reject(error)));
    if (body instanceof Readable) body.pipe(request);
    else request.end(body);
  });
}

function leftovers(): string[] {
  const list = (folder: string): string[] => {
    try {
      return readdirSync(join(box.paths.stateDir, folder)).map((name) => `${folder}/${name}`);
    } catch {
      return [];
    }
  };
  return [...list('staging'), ...list('incoming')];
}

describe('uploading a bundle from the technician\'s laptop', () => {
  it('accepts a good bundle from a technician in maintenance mode, verifies it and hands it to the apply agent', async () => {
    const tom = await loggedIn('tom');
    const response = await upload(tom, makeBundle({ version: '1.1.0' }));
    expect(response).toEqual({ status: 202, body: { version: '1.1.0', message: 'version 1.1.0 was received and verified; the box stages it now and starts it on trial' } });
    const waiting = leftovers();
    expect(waiting).toEqual([expect.stringMatching(/^incoming\/bundle-\d+\.hgwb$/)]);
    expect(box.currentTarget()).toBe('slots/a');
    expect(backend.audit.appended.at(-1)).toMatchObject({ actorRole: 'technician', action: 'update.uploaded', details: { outcome: 'accepted', version: '1.1.0' } });

    const status = await tom.send<Record<string, unknown>>('GET', '/api/v1/update');
    expect(Object.keys(status.body).sort()).toEqual(['committed', 'currentSlot', 'floor', 'hardwareId', 'lastResult', 'maintenance', 'pinnedKeyIds', 'progress', 'receiving', 'trial', 'waiting']);
    expect(status.body).toMatchObject({ committed: { version: '1.0.0', slot: 'a' }, waiting: 1, maintenance: true, lastResult: { outcome: 'received', version: '1.1.0' } });

    // What the root-run apply agent (update apply --incoming) does with it.
    const applied = await applyUpdate({ files: new NodeUpdateFiles(), paths: box.paths, bundlePath: join(box.paths.stateDir, waiting[0] ?? ''), installedVersion: '1.0.0', hardwareId: HARDWARE, limits: DEFAULT_BUNDLE_LIMITS, clock: backend.clock });
    expect(applied.version).toBe('1.1.0');
    expect(box.currentTarget()).toBe('slots/b');
  });

  it('shows the status of a machine not installed in slots, and a damaged state file with its code', async () => {
    const tom = await loggedIn('tom');
    rmSync(join(box.paths.root, 'current'));
    expect((await tom.send('GET', '/api/v1/update')).body).toMatchObject({ committed: { version: '1.0.0', slot: null }, currentSlot: null, trial: null });
    mkdirSync(box.paths.stateDir, { recursive: true });
    writeFileSync(join(box.paths.stateDir, 'state.json'), '{ not json');
    const damaged = await tom.send('GET', '/api/v1/update');
    expect(damaged.status).toBe(500);
    expect(damaged.body).toMatchObject({ code: 'HGW_UPDATE_STATE' });
  });

  it('refuses outside maintenance mode, before reading the body', async () => {
    maintenance.switchOff();
    const tom = await loggedIn('tom');
    const response = await upload(tom, makeBundle({ version: '1.1.0' }));
    expect(response).toEqual({
      status: 409,
      body: { code: 'HGW_UPDATE_MAINTENANCE_OFF', message: 'updates over the network are accepted only in maintenance mode: hold the button on the box for 3 seconds, then upload again' },
    });
    expect(leftovers()).toEqual([]);
    expect(scheduler.tasks).toHaveLength(0);
  });

  it('refuses every role but the technician, and anyone not logged in', async () => {
    for (const accountId of ['anna', 'vera', 'sam']) {
      const response = await upload(await loggedIn(accountId), makeBundle({ version: '1.1.0' }));
      expect(response.status, accountId).toBe(403);
      expect(response.body.code, accountId).toBe('HGW_STATION_FORBIDDEN');
    }
    expect((await upload(new CoordinatorClient(url), makeBundle({ version: '1.1.0' }))).status).toBe(401);
    expect(leftovers()).toEqual([]);
  });

  it('refuses a damaged bundle with its reason and keeps nothing', async () => {
    const bytes = makeBundle({ version: '1.1.0' });
    bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 0xff;
    const response = await upload(await loggedIn('tom'), bytes);
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('HGW_UPDATE_FILE_MISMATCH');
    expect(leftovers()).toEqual([]);
    expect(box.currentTarget()).toBe('slots/a');
  });

  it('cuts off an endless upload at the size cap, with a clear message and nothing staged', async () => {
    let sent = 0;
    const endless = new Readable({
      read() {
        sent += 64 * 1024;
        this.push(Buffer.alloc(64 * 1024, 7));
      },
    });
    const response = await upload(await loggedIn('tom'), endless);
    endless.destroy();
    expect(response).toEqual({ status: 413, body: { code: 'HGW_UPDATE_TOO_LARGE', message: `the upload is larger than the limit of ${MAX_BYTES} bytes: cut off, nothing kept` } });
    expect(sent).toBeGreaterThan(MAX_BYTES);
    expect(leftovers()).toEqual([]);
  });

  it('refuses a declared length over the cap before reading a byte', async () => {
    const response = await upload(await loggedIn('tom'), new Uint8Array(10), { 'content-length': String(MAX_BYTES + 1) });
    expect(response.body.code).toBe('HGW_UPDATE_TOO_LARGE');
    expect(leftovers()).toEqual([]);
  });

  it('cuts off an upload that stalls, once the idle timeout passes, and keeps nothing', async () => {
    const stalling = new Readable({ read() {} });
    const pending = upload(await loggedIn('tom'), stalling);
    stalling.push(Buffer.alloc(1000, 1));
    // Armed at the start, then again after the first chunk was written: now nothing more comes.
    await scheduler.armed(2);
    scheduler.fireLive();
    const response = await pending;
    expect(response).toEqual({ status: 408, body: { code: 'HGW_UPDATE_UPLOAD_STALLED', message: 'no data for 30 s after 1000 bytes: the upload was cut off, nothing kept' } });
    expect(leftovers()).toEqual([]);
    const status = await (await loggedIn('tom')).send<{ lastResult: { outcome: string; code: string } }>('GET', '/api/v1/update');
    expect(status.body.lastResult).toMatchObject({ outcome: 'refused', code: 'HGW_UPDATE_UPLOAD_STALLED' });
  });
});
