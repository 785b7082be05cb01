import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { IClientOptions } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/cli/doctor.js';
import { silentLogger } from '../../src/log/logger.js';
import { ManualClock } from '../../src/time/clock.js';
import { readUpstreamCredentials, type UpstreamCredentialSettings } from '../../src/upstream/upstream-credentials.js';
import { UpstreamService } from '../../src/upstream/upstream-service.js';
import { freePort, MosquittoProcess, Subscriber, TcpProxy } from './mqtt-harness.js';
import { makePasswordFile, makeTestCertificates, type TestCertificates } from './tls-fixture.js';
import { HOUR, SITE, TempStore, testSettings } from './upstream-fixture.js';
import { waitFor } from '../support/wait-for.js';

const PERIOD_START = Date.parse('2025-06-02T08:00:00Z');
const PASSWORD = 'correct horse battery staple';

/**
 * The box against a Mosquitto that requires a client certificate from the central office's CA and
 * a password: the way a site is set up (docs/upstream.md, TLS). A TCP relay in front of the broker
 * counts the box's connection attempts.
 */
describe('upstream over mqtts with a client certificate, against real Mosquitto', () => {
  let dir: string;
  let certificates: TestCertificates;
  let passwordFile: string;
  let mosquitto: MosquittoProcess;
  let proxy: TcpProxy;
  let store: TempStore | undefined;
  const services: UpstreamService[] = [];
  const subscribers: Subscriber[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hgw-mqtts-'));
    certificates = makeTestCertificates(dir);
    passwordFile = path.join(dir, 'upstream.password');
    fs.writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
    mosquitto = new MosquittoProcess(dir, await freePort(), [
      `cafile ${certificates.caFile}`,
      `certfile ${certificates.serverCertFile}`,
      `keyfile ${certificates.serverKeyFile}`,
      'require_certificate true',
      'use_identity_as_username false',
      'allow_anonymous false',
      `password_file ${makePasswordFile(dir, SITE, PASSWORD)}`,
      // Run as root (tests, CI), mosquitto would drop to its own user, who cannot read the temp dir.
      'user root',
    ]);
    await mosquitto.start();
    proxy = new TcpProxy(mosquitto.port);
    await proxy.start();
  });

  afterAll(async () => {
    await proxy.stop();
    await mosquitto.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    for (const service of services.splice(0)) await service.stop();
    for (const subscriber of subscribers.splice(0)) await subscriber.close();
    store?.cleanup();
    store = undefined;
  });

  const brokerUrl = (): string => `mqtts://localhost:${mosquitto.port}`;
  const proxiedUrl = (): string => proxy.url.replace('mqtt://', 'mqtts://');

  type PasswordSettings = Pick<UpstreamCredentialSettings, 'password' | 'passwordFile'>;

  function settings(overrides: Partial<NonNullable<UpstreamCredentialSettings['tls']>> = {}, password: PasswordSettings = { passwordFile }): UpstreamCredentialSettings {
    return {
      username: SITE,
      ...password,
      tls: { caFile: certificates.caFile, certFile: certificates.clientCertFile, keyFile: certificates.clientKeyFile, rejectUnauthorized: true, ...overrides },
    };
  }

  /** A box with one closed period waiting in its outbox. */
  function gateway(url: string, credentials: UpstreamCredentialSettings): { service: UpstreamService; store: TempStore } {
    store?.cleanup();
    store = new TempStore();
    store.register(PERIOD_START + 60_000, { channel: 'phone', topic: 'home', ageBand: '12-15' }, 6);
    const { site: _site, ...stats } = testSettings;
    const service = new UpstreamService({
      database: store.db,
      clock: new ManualClock(PERIOD_START + HOUR + 1),
      logger: silentLogger(),
      site: SITE,
      stats,
      mqtt: { url, firmware: '0.1.0', reconnectInitialMs: 50, reconnectMaxMs: 200, stopTimeoutMs: 2_000, ...readUpstreamCredentials(credentials) },
    });
    services.push(service);
    return { service, store };
  }

  async function centralOffice(): Promise<Subscriber> {
    const { tls, username, password } = readUpstreamCredentials(settings());
    const subscriber = await Subscriber.connect(brokerUrl(), `helpline/v1/${SITE}/#`, { ...tls, username, password } as IClientOptions);
    subscribers.push(subscriber);
    return subscriber;
  }

  it('connects with the client certificate and the password from its file, and delivers birth and stats', async () => {
    const central = await centralOffice();
    const { service, store } = gateway(proxiedUrl(), settings());
    await service.start();
    await waitFor(() => central.on('stats').length === 1 && store.outbox.count() === 0, 'stats delivered over mqtts');
    expect(central.on('birth')[0]?.payload).toMatchObject({ session: service.session, outbox: { waiting: 1, firstWaitingSeq: 1, lastSeq: 1 } });
    expect(central.on('stats')[0]?.payload).toMatchObject({ seq: 1, session: service.session });
  });

  it('without a client certificate the broker refuses the handshake: the box keeps retrying and keeps its outbox', async () => {
    const { certFile: _cert, keyFile: _key, ...withoutClient } = settings().tls ?? { rejectUnauthorized: true };
    const { service, store } = gateway(proxiedUrl(), { ...settings(), tls: withoutClient });
    const before = proxy.accepted;
    await service.start();
    await waitFor(() => proxy.accepted >= before + 3, 'three connection attempts');
    expect(service.connection.connected).toBe(false);
    expect(store.outbox.count()).toBe(1);
  });

  it('refuses a client certificate from another CA and a wrong password alike, outbox kept', async () => {
    for (const credentials of [
      settings({ certFile: certificates.strangerCertFile, keyFile: certificates.strangerKeyFile }),
      settings({}, { password: 'not the password' }),
    ]) {
      const { service, store } = gateway(proxiedUrl(), credentials);
      const before = proxy.accepted;
      await service.start();
      await waitFor(() => proxy.accepted >= before + 2, 'two connection attempts');
      expect(service.connection.connected).toBe(false);
      expect(store.outbox.count()).toBe(1);
      await service.stop();
    }
  });

  it('doctor reads the files as a start would, naming the certificate\'s end date and never the secrets', async () => {
    const configFile = path.join(dir, 'config.json');
    const example = JSON.parse(fs.readFileSync(new URL('../../docs/config.example.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(configFile, JSON.stringify({ ...example, dataDir: path.join(dir, 'data'), keyringDir: undefined, upstream: { url: brokerUrl(), ...settings() } }));
    const lines: string[] = [];
    await runDoctor({ config: configFile }, (line) => lines.push(line));
    const upstream = lines.find((line) => line.includes('upstream'));
    expect(upstream).toMatch(/^ok {3}upstream {2}mqtts, private CA, client certificate valid until .*, password from its file, outbox cap 67108864 bytes$/);
    expect(lines.join('\n')).not.toContain(PASSWORD);
  });
});
