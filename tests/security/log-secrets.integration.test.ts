import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '../../src/privacy/keyring.js';
import type { DataClass } from '../../src/privacy/types.js';
import { CSRF_HEADER, SESSION_COOKIE } from '../../src/stations/index.js';
import { startWholeBox, type WholeBox } from '../e2e/whole-box-harness.js';

/**
 * The box's own log after a whole run on real parts (Mosquitto, a socat modem, the station API,
 * the coordinator API; tests/e2e/whole-box-harness.ts) at trace level, with logins right and wrong,
 * a password typed into the account field, a wrong station token, a session used and ended, and a
 * call. The log must hold no key material (the key-encryption key and every data key, in raw, hex
 * and base64 renderings, nor the wrapped keys), no password, no desk token and no session or CSRF
 * token, not even a twelve-character piece of one. tests/e2e/identifier-leak.integration.test.ts
 * does the same for caller identifiers.
 */

const RIGHT_PASSWORD = 'correct horse battery staple 4711';
const WRONG_PASSWORD = 'Tr0ub4dor&3 wrong guess';
const PASSWORD_AS_ACCOUNT = 'mijn-geheime-wachtzin-in-het-verkeerde-veld';
const DATA_CLASSES: readonly DataClass[] = ['phone-number', 'chat-ip', 'mail-address', 'chat-transcript', 'mail-content'];

let box: WholeBox;
const secrets = new Map<string, string>();

function remember(name: string, value: string | undefined): void {
  if (value) secrets.set(name, value);
}

function keyRenderings(name: string, bytes: Uint8Array): void {
  const buffer = Buffer.from(bytes);
  remember(`${name} (base64)`, buffer.toString('base64'));
  remember(`${name} (base64url)`, buffer.toString('base64url'));
  remember(`${name} (hex)`, buffer.toString('hex'));
  remember(`${name} (latin1)`, buffer.toString('latin1'));
}

async function http(method: string, path: string, options: { body?: unknown; cookie?: string; csrf?: string; bearer?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.cookie) headers['cookie'] = `${SESSION_COOKIE}=${options.cookie}`;
  if (options.csrf) headers[CSRF_HEADER] = options.csrf;
  if (options.bearer) headers['authorization'] = `Bearer ${options.bearer}`;
  return fetch(`${box.gateway.stationUrl}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
}

beforeAll(async () => {
  box = await startWholeBox({ start: new Date('2026-03-02T09:00:00Z'), logLevel: 'trace' });
  const deskToken = box.config.stations.desks[0]?.token;
  remember('desk token', deskToken);
  for (const password of [RIGHT_PASSWORD, WRONG_PASSWORD, PASSWORD_AS_ACCOUNT]) remember(`password "${password.slice(0, 4)}…"`, password);

  await box.gateway.accounts.createAccount('coord-a', 'coordinator', RIGHT_PASSWORD);
  expect((await http('POST', '/api/v1/session', { body: { accountId: 'coord-a', password: WRONG_PASSWORD } })).status).toBe(401);
  expect((await http('POST', '/api/v1/session', { body: { accountId: PASSWORD_AS_ACCOUNT, password: RIGHT_PASSWORD } })).status).toBe(401);
  const login = await http('POST', '/api/v1/session', { body: { accountId: 'coord-a', password: RIGHT_PASSWORD } });
  expect(login.status).toBe(200);
  const sessionToken = /^hgw_session=([^;]+)/.exec(login.headers.getSetCookie()[0] ?? '')?.[1];
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  remember('session token', sessionToken);
  remember('CSRF token', csrfToken);
  expect((await http('POST', '/api/v1/incidents', { cookie: sessionToken, body: { kind: 'other', severity: 'low', summary: 'zonder CSRF-kop' } })).status).toBe(403);
  expect((await http('POST', '/api/v1/incidents', { cookie: sessionToken, csrf: csrfToken, body: { kind: 'other', severity: 'low', summary: 'een test' } })).status).toBe(201);
  expect((await http('GET', '/api/v1/system/health', { cookie: sessionToken })).status).toBe(200);
  expect((await http('GET', '/api/v1/contacts', { bearer: `${deskToken?.slice(0, -4) ?? ''}AAAA` })).status).toBe(401);
  expect((await http('GET', '/api/v1/contacts', { bearer: deskToken })).status).toBe(200);
  expect((await http('DELETE', '/api/v1/session', { cookie: sessionToken, csrf: csrfToken })).status).toBe(204);
  expect((await http('GET', '/api/v1/session', { cookie: sessionToken })).status).toBe(401);
  await box.takeCall('RING', 'NMBR = 0641729358', 'RING');
  await box.stopGateway();

  const keyringDir = box.config.keyringDir;
  for (const file of readdirSync(keyringDir).filter((name) => /^kek-\d+\.key$/.test(name))) keyRenderings(`key-encryption key ${file}`, readFileSync(join(keyringDir, file)));
  const document = JSON.parse(readFileSync(join(keyringDir, 'keyring.json'), 'utf8')) as unknown;
  const wrapped: string[] = [];
  const collect = (node: unknown): void => {
    if (typeof node === 'string' && node.length >= 40) wrapped.push(node);
    else if (node !== null && typeof node === 'object') for (const child of Object.values(node)) collect(child);
  };
  collect(document);
  for (const [index, value] of wrapped.entries()) remember(`wrapped key ${index}`, value);
  const keyring = Keyring.open({ directory: keyringDir, clock: box.clock, access: 'read-only' });
  for (const epoch of keyring.linkEpochs()) keyRenderings(`link key ${epoch}`, keyring.linkKey(epoch) ?? new Uint8Array());
  for (const dataClass of DATA_CLASSES) for (const epoch of keyring.vaultEpochs(dataClass)) keyRenderings(`${dataClass} key ${epoch}`, keyring.vaultKey(dataClass, epoch) ?? new Uint8Array());
}, 120_000);

afterAll(async () => {
  await box?.cleanup();
});

describe('the log of a whole run holds no secret', () => {
  it('gathered the secrets it looks for: a desk token, passwords, a session and CSRF token, the KEK and the data keys', () => {
    const names = [...secrets.keys()];
    expect(names).toEqual(expect.arrayContaining(['desk token', 'session token', 'CSRF token']));
    expect(names.filter((name) => name.startsWith('key-encryption key'))).toHaveLength(4);
    expect(names.filter((name) => name.startsWith('link key')).length).toBeGreaterThanOrEqual(4);
    expect(names.filter((name) => name.startsWith('phone-number key')).length).toBeGreaterThanOrEqual(4);
  });

  it('has none of them in the log, whole or in any twelve-character piece', () => {
    const log = readFileSync(box.logFile);
    const text = log.toString('latin1');
    expect(text).toMatch(/"msg":"call offered"/);
    expect(text).toMatch(/station authentication failed/);
    const found: string[] = [];
    for (const [name, secret] of secrets) {
      const pieces = secret.length <= 12 ? [secret] : Array.from({ length: secret.length - 11 }, (_, at) => secret.slice(at, at + 12));
      if (pieces.some((piece) => text.includes(piece) || log.includes(Buffer.from(piece, 'utf8')))) found.push(name);
    }
    expect(found).toEqual([]);
  });
});
