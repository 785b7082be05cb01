import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load-config.js';
import { readUpstreamCredentials } from '../../src/upstream/upstream-credentials.js';
import { thrownBy } from '../support/thrown-by.js';
import { makeTestCertificates, type TestCertificates } from './tls-fixture.js';

describe('readUpstreamCredentials', () => {
  let dir: string;
  let certificates: TestCertificates;
  let keyText: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hgw-credentials-'));
    certificates = makeTestCertificates(dir);
    keyText = fs.readFileSync(certificates.clientKeyFile, 'utf8');
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const tls = (overrides: Record<string, string> = {}) => ({
    caFile: certificates.caFile,
    certFile: certificates.clientCertFile,
    keyFile: certificates.clientKeyFile,
    rejectUnauthorized: true,
    ...overrides,
  });

  /** The one-line error, checked never to carry a byte of the key. */
  function failure(settings: Parameters<typeof readUpstreamCredentials>[0]): { code: string; message: string } {
    const error = thrownBy(() => readUpstreamCredentials(settings)) as { code: string; message: string };
    expect(error.message).not.toMatch(/BEGIN|PRIVATE/);
    for (const line of keyText.split('\n').filter((text) => text.length > 20)) expect(error.message).not.toContain(line.slice(0, 20));
    expect(error.message).not.toContain('\n');
    return { code: error.code, message: error.message };
  }

  it('hands mqtt.js the CA, certificate and key contents, the username, and the password from its file without the newline', () => {
    const passwordFile = path.join(dir, 'password');
    fs.writeFileSync(passwordFile, 's3cret with spaces\n', { mode: 0o600 });
    const credentials = readUpstreamCredentials({ username: 'utrecht-1', passwordFile, tls: { ...tls(), servername: 'broker.example' } });
    expect(credentials.username).toBe('utrecht-1');
    expect(credentials.password).toBe('s3cret with spaces');
    expect(credentials.tls?.key?.toString()).toBe(keyText);
    expect(credentials.tls).toMatchObject({ rejectUnauthorized: true, servername: 'broker.example' });
    expect(readUpstreamCredentials({ password: 'inline' })).toEqual({ password: 'inline' });
  });

  it('names the key, the path and the reason when a file is missing', () => {
    const missing = path.join(dir, 'nope.crt');
    expect(failure({ tls: tls({ caFile: missing }) })).toEqual({ code: 'HGW_CONFIG_FILE_UNREADABLE', message: `upstream.tls.caFile: cannot read ${missing} (ENOENT)` });
    expect(failure({ passwordFile: missing }).message).toBe(`upstream.passwordFile: cannot read ${missing} (ENOENT)`);
  });

  it('refuses a certificate that is not one, a key that is not one, and a key of another certificate', () => {
    expect(failure({ tls: tls({ certFile: certificates.clientKeyFile }) }).message).toBe(`upstream.tls.certFile: ${certificates.clientKeyFile} is not a PEM certificate`);
    expect(failure({ tls: tls({ keyFile: certificates.caFile }) })).toMatchObject({ code: 'HGW_CONFIG_FILE_PERMISSIONS' });
    const notAKey = path.join(dir, 'not-a-key.pem');
    fs.writeFileSync(notAKey, '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n', { mode: 0o600 });
    expect(failure({ tls: tls({ keyFile: notAKey }) }).message).toBe(`upstream.tls.keyFile: ${notAKey} is not an unencrypted PEM private key`);
    expect(failure({ tls: tls({ keyFile: certificates.strangerKeyFile }) }).message).toBe(
      `upstream.tls.keyFile: ${certificates.strangerKeyFile} is not the key of the certificate in upstream.tls.certFile`,
    );
    const empty = path.join(dir, 'empty.crt');
    fs.writeFileSync(empty, '');
    expect(failure({ tls: tls({ caFile: empty }) }).message).toBe(`upstream.tls.caFile: ${empty} is empty`);
  });

  it('refuses a key or password file others can read, and a password file of more than one line', () => {
    const openKey = path.join(dir, 'open.key');
    fs.copyFileSync(certificates.clientKeyFile, openKey);
    fs.chmodSync(openKey, 0o644);
    expect(failure({ tls: tls({ keyFile: openKey }) })).toEqual({
      code: 'HGW_CONFIG_FILE_PERMISSIONS',
      message: `upstream.tls.keyFile: ${openKey} is open to others (mode 644); chmod 600 it (or 640 for the service's group)`,
    });
    fs.chmodSync(openKey, 0o640);
    expect(readUpstreamCredentials({ tls: tls({ keyFile: openKey }) }).tls?.key).toBeDefined();
    const twoLines = path.join(dir, 'two-lines');
    fs.writeFileSync(twoLines, 'one\ntwo\n', { mode: 0o600 });
    expect(failure({ passwordFile: twoLines }).message).toBe(`upstream.passwordFile: ${twoLines} must hold the password on one line`);
  });
});

describe('upstream config keys', () => {
  const example = JSON.parse(fs.readFileSync(new URL('../../docs/config.example.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  const withUpstream = (upstream: Record<string, unknown>): unknown => ({ ...example, upstream: { url: 'mqtts://broker.example:8883', ...upstream } });

  it('defaults the outbox cap to 64 MiB and rejectUnauthorized to true', () => {
    const config = validateConfig(withUpstream({ tls: { caFile: '/etc/helpline-gateway/upstream/ca.crt' } }));
    expect(config.upstream.outboxMaxBytes).toBe(64 * 1024 * 1024);
    expect(config.upstream.tls?.rejectUnauthorized).toBe(true);
  });

  it('refuses a cap below 1 MiB, a certificate without its key, both password keys, and tls on a plain mqtt:// url', () => {
    const message = (upstream: Record<string, unknown>): string => String((thrownBy(() => validateConfig(withUpstream(upstream))) as Error).message);
    expect(message({ outboxMaxBytes: 1000 })).toContain('upstream.outboxMaxBytes: at least 1 MiB');
    expect(message({ tls: { certFile: '/x.crt' } })).toContain('upstream.tls.keyFile: certFile and keyFile go together');
    expect(message({ password: 'a', passwordFile: '/p' })).toContain('upstream.passwordFile: password or passwordFile, not both');
    expect(message({ url: 'mqtt://broker.example', tls: {} })).toContain('upstream.tls: tls needs an mqtts:// or wss:// url');
  });
});
