import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, MosquittoProcess } from '../upstream/mqtt-harness.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'src', 'cli', 'helpline-gateway.ts');
const example = JSON.parse(readFileSync(join(ROOT, 'docs', 'config.example.json'), 'utf8')) as Record<string, unknown>;

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let directory: string;
let mosquitto: MosquittoProcess;

function writeConfig(name: string, upstreamUrl: string): string {
  const path = join(directory, name);
  writeFileSync(path, JSON.stringify({ ...example, dataDir: join(directory, 'data'), keyringDir: undefined, line: { kind: 'simulated' }, upstream: { url: upstreamUrl, clientId: 'utrecht-1' } }));
  return path;
}

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'hgw-provision-'));
  mosquitto = new MosquittoProcess(directory, await freePort());
  await mosquitto.start();
});

afterAll(async () => {
  await mosquitto.stop();
  rmSync(directory, { recursive: true, force: true });
});

describe('the commands the installer uses', () => {
  it('keys init makes the keyring once (0700 directory, 0600 files) and never again', () => {
    const config = writeConfig('config.json', mosquitto.url);
    const first = cli('keys', 'init', '--config', config);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^keyring created: .*keyring\.json \(mode 600\), key-encryption key generation 1$/m);
    const keyringDir = join(directory, 'data', 'keyring');
    expect(statSync(keyringDir).mode & 0o777).toBe(0o700);
    const bytes = readFileSync(join(keyringDir, 'keyring.json'));
    const kek = readFileSync(join(keyringDir, 'kek-1.key'));
    expect(statSync(join(keyringDir, 'kek-1.key')).mode & 0o777).toBe(0o600);

    const second = cli('keys', 'init', '--config', config);
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/^keyring exists, left as it is: /m);
    expect(readFileSync(join(keyringDir, 'keyring.json')).equals(bytes)).toBe(true);
    expect(readFileSync(join(keyringDir, 'kek-1.key')).equals(kek)).toBe(true);
  });

  it('config check says ok in one line, or names the bad key with HGW_CONFIG_INVALID', () => {
    const good = cli('config', 'check', '--config', writeConfig('good.json', mosquitto.url));
    expect(good.status).toBe(0);
    expect(good.stdout.trim()).toMatch(/^config ok: .*site utrecht-1 \(NL, Europe\/Amsterdam\), preset allesoke-nl, line simulated/);
    const bad = join(directory, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...example, site: { id: 'Utrecht 1', timeZone: 'Europe/Amsterdam', country: 'NL' } }));
    const refused = cli('config', 'check', '--config', bad);
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim()).toMatch(/^helpline-gateway: HGW_CONFIG_INVALID: .*site\.id: /);
  });

  it('upstream check connects to the broker once and leaves; exit 1 when nobody accepts', async () => {
    const ok = cli('upstream', 'check', '--config', writeConfig('up.json', mosquitto.url));
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^ok {3}upstream {2}mqtt:\/\/127\.0\.0\.1:\d+ \(no client certificate, no password\): connected and accepted$/m);
    const closed = cli('upstream', 'check', '--config', writeConfig('down.json', `mqtt://127.0.0.1:${await freePort()}`));
    expect(closed.status).toBe(1);
    expect(closed.stdout).toMatch(/^FAIL upstream {2}.*ECONNREFUSED/m);
  });
});
