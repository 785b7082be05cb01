import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, MosquittoProcess } from '../upstream/mqtt-harness.js';
import { makeTestCertificates, type TestCertificates } from '../upstream/tls-fixture.js';
import { describePath, digest, doctorLines, install, REPOSITORY, snapshot } from './install-tree.js';

const BROKER_PASSWORD = 'a made-up broker password';
const OWNER = `${process.getuid?.()}:${process.getgid?.()}`;

let work: string;
let root: string;
let passwordFile: string;
let coordinatorPasswordFile: string;

function answers(country = 'NL'): string[] {
  return [
    '--site-id', 'utrecht-1', '--country', country, '--line', 'simulated',
    '--upstream-url', 'mqtts://mqtt.central.example:8883', '--upstream-username', 'utrecht-1', '--upstream-password-file', passwordFile,
    '--coordinator', 'coord-1', '--coordinator-password-file', coordinatorPasswordFile,
    // No network here: the broker check has a test of its own below, against Mosquitto.
    '--skip-broker-check',
  ];
}

const configOf = (at: string): Record<string, any> => JSON.parse(readFileSync(join(at, 'etc', 'helpline-gateway', 'config.json'), 'utf8')) as Record<string, any>;
const keyringBytes = (at: string): string =>
  ['keyring.json', 'kek-1.key'].map((name) => digest(readFileSync(join(at, 'var', 'lib', 'helpline-gateway', 'keyring', name)))).join(' ');

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'hgw-install-'));
  root = join(work, 'box');
  passwordFile = join(work, 'broker-password');
  coordinatorPasswordFile = join(work, 'coordinator-password');
  writeFileSync(passwordFile, `${BROKER_PASSWORD}\n`, { mode: 0o600 });
  writeFileSync(coordinatorPasswordFile, 'a coordinator passphrase of some length\n', { mode: 0o600 });
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('scripts/install.sh in a throwaway root', () => {
  it('builds the code from this repository, provisions the box and ends with a doctor that passes; a second run changes nothing', { timeout: 400_000 }, () => {
    const first = install(root, ...answers());
    expect(first.status, first.stderr + first.stdout).toBe(0);
    expect(first.stdout).toMatch(/^ {2}installed {2}\/opt\/helpline-gateway\/slots\/a \(firmware \d+\.\d+\.\d+, \d+ files\)$/m);
    expect(first.stdout).toMatch(/^ {2}created {4}coordinator account coord-1$/m);
    const doctor = doctorLines(first);
    expect(doctor.map((line) => line.slice(0, 14))).toEqual(['ok   config   ', 'ok   keyring  ', 'ok   pragmas  ', 'ok   integrity', 'ok   upstream ']);

    const before = snapshot(root);
    const keys = keyringBytes(root);
    const config = readFileSync(join(root, 'etc', 'helpline-gateway', 'config.json'));
    const second = install(root, ...answers());
    expect(second.status, second.stderr + second.stdout).toBe(0);
    expect(second.stdout).toMatch(/^nothing changed$/m);
    expect(doctorLines(second).every((line) => line.startsWith('ok '))).toBe(true);
    expect(snapshot(root)).toEqual(before);
    expect(keyringBytes(root)).toBe(keys);
    expect(readFileSync(join(root, 'etc', 'helpline-gateway', 'config.json')).equals(config)).toBe(true);
  });

  it('leaves the tree documented in docs/install.md: paths, modes, owners', () => {
    const expected: Record<string, string> = {
      'etc/helpline-gateway': `dir 0750 ${OWNER}`,
      'etc/helpline-gateway/config.json': `file 0640 ${OWNER}`,
      'etc/helpline-gateway/update-keys': `dir 0755 ${OWNER}`,
      'etc/helpline-gateway/upstream': `dir 0750 ${OWNER}`,
      'etc/helpline-gateway/upstream/password': `file 0640 ${OWNER}`,
      'etc/helpline-gateway/upstream/client.key': `file 0640 ${OWNER}`,
      'etc/helpline-gateway/upstream/client.csr': `file 0644 ${OWNER}`,
      'var/lib/helpline-gateway': `dir 0700 ${OWNER}`,
      'var/lib/helpline-gateway/data': `dir 0700 ${OWNER}`,
      'var/lib/helpline-gateway/keyring': `dir 0700 ${OWNER}`,
      'var/lib/helpline-gateway/keyring/keyring.json': `file 0600 ${OWNER}`,
      'var/lib/helpline-gateway/keyring/kek-1.key': `file 0600 ${OWNER}`,
      'var/lib/helpline-gateway/logs': `dir 0700 ${OWNER}`,
      'var/lib/helpline-gateway/update': `dir 0700 ${OWNER}`,
      'opt/helpline-gateway': `dir 0755 ${OWNER}`,
      'opt/helpline-gateway/current': 'link -> slots/a',
      'opt/helpline-gateway/committed': 'link -> slots/a',
      'opt/helpline-gateway/slots/a': `dir 0755 ${OWNER}`,
      'opt/helpline-gateway/slots/a/dist/cli/helpline-gateway.js': `file 0644 ${OWNER}`,
      'etc/systemd/system/helpline-gateway.service': `file 0644 ${OWNER}`,
      'etc/systemd/system/helpline-gateway-update.path': `file 0644 ${OWNER}`,
      'etc/systemd/system/helpline-gateway-update.service': `file 0644 ${OWNER}`,
      'etc/systemd/journald@helpline-gateway.conf': `file 0644 ${OWNER}`,
      'etc/udev/rules.d/99-helpline-gateway.rules': `file 0644 ${OWNER}`,
      'etc/logrotate.d/helpline-gateway': `file 0644 ${OWNER}`,
      'etc/modules-load.d/helpline-gateway.conf': `file 0644 ${OWNER}`,
    };
    for (const [path, description] of Object.entries(expected)) expect(describePath(root, path), path).toBe(description);
    // Production dependencies only: no compiler, no test runner on the box.
    const modules = readdirSync(join(root, 'opt', 'helpline-gateway', 'slots', 'a', 'node_modules'));
    expect(modules).toContain('mqtt');
    expect(modules.filter((name) => ['typescript', 'vitest', 'playwright-core', 'tsx'].includes(name))).toEqual([]);
    for (const name of ['helpline-gateway.service', 'helpline-gateway-update.path', 'helpline-gateway-update.service']) {
      const unit = readFileSync(join(root, 'etc', 'systemd', 'system', name), 'utf8');
      expect(unit.replace(/^(ExecStart(?:Pre)?=[-+]*)\S+ /gm, '$1/usr/bin/node '), name).toBe(readFileSync(join(REPOSITORY, 'hardware', name), 'utf8'));
    }
  });

  it('writes the config from the answers, with the password in its own file and fresh station tokens', () => {
    const config = configOf(root);
    expect(config.site).toEqual({ id: 'utrecht-1', timeZone: 'Europe/Amsterdam', country: 'NL' });
    expect(config.policy).toEqual({ preset: 'allesoke-nl', overrides: {} });
    expect(config.dataDir).toBe(join(root, 'var', 'lib', 'helpline-gateway', 'data'));
    expect(config.upstream).toEqual({
      url: 'mqtts://mqtt.central.example:8883',
      clientId: 'utrecht-1',
      username: 'utrecht-1',
      passwordFile: join(root, 'etc', 'helpline-gateway', 'upstream', 'password'),
    });
    expect(readFileSync(join(root, 'etc', 'helpline-gateway', 'upstream', 'password'), 'utf8')).toBe(`${BROKER_PASSWORD}\n`);
    expect(JSON.stringify(config)).not.toContain(BROKER_PASSWORD);
    // A box has its front-panel board; the lid does not destroy the keys unless asked to.
    expect(config.panel).toEqual({ kind: 'firmata', device: '/dev/helpline-panel', tamper: { zeroize: false } });
    const tokens = (config.stations.desks as { token: string }[]).map((desk) => desk.token);
    expect(tokens).toHaveLength(2);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('keeps the config when the answers differ, and replaces only what differs with --reconfigure (tokens, keyring and accounts kept)', { timeout: 120_000 }, () => {
    const configPath = join(root, 'etc', 'helpline-gateway', 'config.json');
    const before = readFileSync(configPath);
    const keys = keyringBytes(root);
    const refused = install(root, ...answers('BE'));
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/the answers differ from .*config\.json in: policy\.preset,site\.country,site\.timeZone; the config was left as it is/);
    expect(readFileSync(configPath).equals(before)).toBe(true);

    const reconfigured = install(root, ...answers('BE'), '--reconfigure');
    expect(reconfigured.status, reconfigured.stderr).toBe(0);
    const after = configOf(root);
    expect(after.site).toEqual({ id: 'utrecht-1', timeZone: 'Europe/Brussels', country: 'BE' });
    expect(after.policy.preset).toBe('lumi-be');
    expect(after.stations).toEqual(JSON.parse(before.toString('utf8')).stations);
    expect(keyringBytes(root)).toBe(keys);
    const backups = readdirSync(join(root, 'etc', 'helpline-gateway')).filter((name) => name.startsWith('config.json.before-'));
    expect(backups).toHaveLength(1);
    expect(readFileSync(join(root, 'etc', 'helpline-gateway', backups[0] ?? '')).equals(before)).toBe(true);
    expect(doctorLines(reconfigured)[0]).toMatch(/^ok {3}config .*site utrecht-1 \(BE, Europe\/Brussels\), preset lumi-be/);
  });

  it('refuses a different broker password without --reconfigure, and says so in one line', () => {
    const other = join(work, 'other-password');
    writeFileSync(other, 'another password\n', { mode: 0o600 });
    const args = answers('BE').map((arg) => (arg === passwordFile ? other : arg));
    const refused = install(root, ...args);
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim()).toBe('install.sh: the upstream password differs from the one installed; add --reconfigure to replace it');
    expect(readFileSync(join(root, 'etc', 'helpline-gateway', 'upstream', 'password'), 'utf8')).toBe(`${BROKER_PASSWORD}\n`);
  });
});

describe('enrolment with the central office, against Mosquitto requiring client certificates', () => {
  let certificates: TestCertificates;
  let mosquitto: MosquittoProcess;
  let box: string;
  let prebuilt: string;

  beforeAll(async () => {
    const dir = join(work, 'central-office');
    execFileSync('mkdir', ['-p', dir]);
    certificates = makeTestCertificates(dir);
    mosquitto = new MosquittoProcess(dir, await freePort(), [
      `cafile ${certificates.caFile}`,
      `certfile ${certificates.serverCertFile}`,
      `keyfile ${certificates.serverKeyFile}`,
      'require_certificate true',
      'use_identity_as_username true',
      'user root',
    ]);
    await mosquitto.start();
    box = join(work, 'enrolled-box');
    // The code built by the first test, as a prebuilt tree: this box need not build it again.
    prebuilt = join(root, 'opt', 'helpline-gateway', 'slots', 'a');
  });

  afterAll(async () => {
    await mosquitto.stop();
  });

  const enrolArgs = (): string[] => ['--site-id', 'utrecht-1', '--country', 'NL', '--line', 'simulated', '--upstream-url', `mqtts://localhost:${mosquitto.port}`, '--ca-cert', certificates.caFile, '--code-from', prebuilt];
  const upstreamDir = (): string => join(box, 'etc', 'helpline-gateway', 'upstream');

  function sign(csr: string, name: string): string {
    const certificate = join(work, `${name}.crt`);
    const extensions = join(work, 'client.ext');
    writeFileSync(extensions, 'extendedKeyUsage=clientAuth\n');
    execFileSync('openssl', ['x509', '-req', '-in', csr, '-CA', certificates.caFile, '-CAkey', certificates.caFile.replace(/\.crt$/, '.key'), '-CAcreateserial', '-days', '2', '-out', certificate, '-extfile', extensions], { stdio: 'ignore' });
    return certificate;
  }

  it('makes the key and request on the box, prints the request\'s fingerprint, and waits', { timeout: 120_000 }, () => {
    const run = install(box, ...enrolArgs());
    expect(run.status, run.stderr + run.stdout).toBe(0);
    const csr = join(upstreamDir(), 'client.csr');
    const der = execFileSync('openssl', ['req', '-in', csr, '-outform', 'DER']);
    const fingerprint = digest(der).replace(/(..)(?!$)/g, '$1:');
    expect(run.stdout).toContain('enrolment: waiting for the central office');
    expect(run.stdout).toContain(`  sha256 ${fingerprint}\n`);
    expect(execFileSync('openssl', ['req', '-in', csr, '-noout', '-subject'], { encoding: 'utf8' })).toMatch(/CN ?= ?utrecht-1/);
    expect(describePath(box, 'etc/helpline-gateway/upstream/client.key')).toBe(`file 0640 ${OWNER}`);
    expect(configOf(box).upstream.tls).toEqual({ caFile: join(upstreamDir(), 'ca.crt') });
  });

  it('refuses a certificate made for another key, or naming another site, and installs nothing', { timeout: 120_000 }, () => {
    const foreign = install(box, ...enrolArgs(), '--client-cert', certificates.clientCertFile);
    expect(foreign.status).toBe(1);
    expect(foreign.stderr).toMatch(/was not made for this box's key/);
    const otherSiteCsr = join(work, 'other-site.csr');
    execFileSync('openssl', ['req', '-new', '-key', join(upstreamDir(), 'client.key'), '-subj', '/CN=amsterdam-2', '-out', otherSiteCsr], { stdio: 'ignore' });
    const misnamed = install(box, ...enrolArgs(), '--client-cert', sign(otherSiteCsr, 'other-site'));
    expect(misnamed.status).toBe(1);
    expect(misnamed.stderr).toMatch(/names CN=amsterdam-2, not this site \(utrecht-1\)/);
    expect(existsSync(join(upstreamDir(), 'client.crt'))).toBe(false);
  });

  it('installs the signed certificate, and the broker accepts the box; a second run changes nothing', { timeout: 120_000 }, () => {
    const certificate = sign(join(upstreamDir(), 'client.csr'), 'utrecht-1');
    const enrolled = install(box, ...enrolArgs(), '--client-cert', certificate);
    expect(enrolled.status, enrolled.stderr + enrolled.stdout).toBe(0);
    expect(enrolled.stdout).toMatch(/^enrolment: client certificate installed \(valid until .+\)$/m);
    expect(enrolled.stdout).toMatch(new RegExp(`^ok {3}upstream {2}mqtts://localhost:${mosquitto.port} \\(client certificate, no password\\): connected and accepted$`, 'm'));
    expect(configOf(box).upstream.tls).toEqual({
      caFile: join(upstreamDir(), 'ca.crt'),
      certFile: join(upstreamDir(), 'client.crt'),
      keyFile: join(upstreamDir(), 'client.key'),
    });
    expect(doctorLines(enrolled).find((line) => line.startsWith('ok   upstream'))).toMatch(/private CA, client certificate valid until/);

    const again = install(box, ...enrolArgs(), '--client-cert', certificate);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/^nothing changed$/m);
    expect(again.stdout).toMatch(/connected and accepted/);
  });
});
