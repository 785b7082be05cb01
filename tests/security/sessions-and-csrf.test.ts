import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER, SESSION_COOKIE } from '../../src/stations/index.js';
import { PASSWORD } from '../support/coordinator-fixture.js';
import { startFullStationServer, type FullStationServer } from './full-station-server.js';
import { ROUTE_TABLE } from './route-table.js';

/**
 * Sessions, CSRF and login throttling over HTTP on the full station server (docs/security.md).
 * The parts have their own tests: cookie parsing (tests/stations/coordinator-session-auth.test.ts),
 * sessions and the throttle (tests/accounts/sessions.test.ts, login-throttle.test.ts,
 * account-service.test.ts), the coordinator routes on fake and real cores
 * (tests/stations/coordinator-routes.test.ts, coordinator-real-core.test.ts) and the burst incident
 * (tests/incidents/login-burst-incidents.test.ts). Here the rules are checked end to end, and CSRF
 * for every state-changing route the table lists, not a hand-kept subset.
 */

let full: FullStationServer;

beforeAll(async () => {
  full = await startFullStationServer();
});

afterAll(async () => {
  await full.stop();
});

interface Exchange {
  readonly status: number;
  readonly setCookie: string | undefined;
  readonly body: Record<string, unknown> | undefined;
  readonly headers: Headers;
}

async function send(method: string, path: string, options: { cookie?: string; csrf?: string; origin?: string; body?: unknown } = {}): Promise<Exchange> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.cookie !== undefined) headers['cookie'] = `${SESSION_COOKIE}=${options.cookie}`;
  if (options.csrf !== undefined) headers[CSRF_HEADER] = options.csrf;
  if (options.origin !== undefined) headers['origin'] = options.origin;
  const response = await fetch(`${full.url}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
  const text = await response.text();
  let body: Record<string, unknown> | undefined;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = undefined;
  }
  return { status: response.status, setCookie: response.headers.getSetCookie()[0], body, headers: response.headers };
}

async function login(accountId: string, options: { cookie?: string; password?: string } = {}): Promise<Exchange & { token: string | undefined; csrf: string }> {
  const exchange = await send('POST', '/api/v1/session', { body: { accountId, password: options.password ?? PASSWORD }, ...(options.cookie === undefined ? {} : { cookie: options.cookie }) });
  const token = /^hgw_session=([^;]*)/.exec(exchange.setCookie ?? '')?.[1];
  return { ...exchange, token: token === '' ? undefined : token, csrf: String(exchange.body?.['csrfToken'] ?? '') };
}

describe('session fixation', () => {
  it('never adopts a session id the client chose: a planted cookie is replaced at login and opens nothing', async () => {
    const planted = 'A'.repeat(43);
    const session = await login('anna', { cookie: planted });
    expect(session.status).toBe(200);
    expect(session.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.token).not.toBe(planted);
    expect((await send('GET', '/api/v1/session', { cookie: planted })).status).toBe(401);
    expect((await send('GET', '/api/v1/session', { cookie: session.token ?? '' })).status).toBe(200);
  });

  it('ends the session a browser held before a new login, so a token fixed before login is worthless after it', async () => {
    const before = await login('vera');
    const after = await login('anna', { cookie: before.token ?? '' });
    expect(after.token).not.toBe(before.token);
    expect((await send('GET', '/api/v1/session', { cookie: before.token ?? '' })).status).toBe(401);
    expect((await send('GET', '/api/v1/session', { cookie: after.token ?? '' })).body).toMatchObject({ accountId: 'anna' });
  });

  it('issues a fresh random token and CSRF token at every login, in an HttpOnly SameSite=Strict cookie', async () => {
    const tokens = new Set<string>();
    const csrfTokens = new Set<string>();
    for (let index = 0; index < 5; index++) {
      const session = await login('sam');
      expect(session.setCookie).toMatch(/^hgw_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
      tokens.add(session.token ?? '');
      csrfTokens.add(session.csrf);
    }
    expect(tokens.size).toBe(5);
    expect(csrfTokens.size).toBe(5);
    expect([...csrfTokens].some((csrf) => tokens.has(csrf))).toBe(false);
  });

  it('ends the session on the server at logout: the old cookie replayed is refused', async () => {
    const session = await login('anna');
    expect((await send('DELETE', '/api/v1/session', { cookie: session.token ?? '', csrf: session.csrf })).status).toBe(204);
    const replay = await send('GET', '/api/v1/session', { cookie: session.token ?? '' });
    expect(replay.status).toBe(401);
    expect(replay.setCookie).toContain('Max-Age=0');
  });
});

describe('CSRF', () => {
  const stateChanging = ROUTE_TABLE.filter((row) => row.server === 'station' && row.method !== 'GET' && (row.access.kind === 'session' || row.access.kind === 'capability'));

  it('covers every state-changing route the server registers but the desk-token routes and the login', () => {
    const bearerOrLogin = new Set(ROUTE_TABLE.filter((row) => row.access.kind === 'desk' || row.access.kind === 'login').map((row) => `${row.method} ${row.url}`));
    const registered = full.station.routes().filter((route) => route.method !== 'GET').map((route) => `${route.method} ${route.url}`).filter((route) => !bearerOrLogin.has(route));
    expect(stateChanging.map((row) => `${row.method} ${row.url}`).sort()).toEqual(registered.sort());
    expect(stateChanging.length).toBe(30);
  });

  it('refuses every state-changing session route without the CSRF header, with a wrong one, another session\'s, or from another origin; nothing changes', async () => {
    const accountsBefore = JSON.stringify(full.accounts.listAccounts());
    const other = await login('bram');
    const wrong: string[] = [];
    for (const row of stateChanging) {
      const session = await login(row.access.kind === 'capability' && row.access.capability === 'update.apply' ? 'tom' : row.access.kind === 'capability' && row.access.capability === 'listen-along' ? 'sam' : 'anna');
      const cookie = session.token ?? '';
      const attempts: Array<[string, { csrf?: string; origin?: string }]> = [
        ['no header', {}],
        ['empty header', { csrf: '' }],
        ['wrong token', { csrf: 'x'.repeat(43) }],
        ["another session's token", { csrf: other.csrf }],
        ['the token, from another site', { csrf: session.csrf, origin: 'https://evil.example' }],
        ['the token, from a sandboxed page', { csrf: session.csrf, origin: 'null' }],
        ['the token, from another port', { csrf: session.csrf, origin: full.url.replace(/:(\d+)$/, (_match, port: string) => `:${Number(port) + 1}`) }],
      ];
      for (const [name, headers] of attempts) {
        const answer = await send(row.method, row.path, { cookie, body: typeof row.body === 'string' ? undefined : row.body, ...headers });
        if (answer.status !== 403 || !/x-csrf-token/.test(String(answer.body?.['message']))) wrong.push(`${row.method} ${row.path}, ${name}: ${answer.status}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(JSON.stringify(full.accounts.listAccounts())).toBe(accountsBefore);
    expect((await send('GET', '/api/v1/incidents', { cookie: other.token ?? '' })).body).toMatchObject({ incidents: [] });
  });

  it('lets the same requests through with the session\'s own token from the page\'s own origin', async () => {
    const session = await login('anna');
    const answer = await send('POST', '/api/v1/incidents', { cookie: session.token ?? '', csrf: session.csrf, origin: full.url, body: { kind: 'other', severity: 'low', summary: 'een test van de CSRF-regel' } });
    expect(answer.status).toBe(201);
  });
});

describe('login throttling', () => {
  it('locks an account and the address after five failures, even for the right password, and says when to come back', async () => {
    for (let attempt = 0; attempt < 5; attempt++) expect((await login('zoe', { password: 'niet het wachtwoord' })).status).toBe(401);
    const locked = await login('zoe');
    expect(locked.status).toBe(429);
    expect(locked.body).toMatchObject({ code: 'HGW_STATION_THROTTLED' });
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(60);
    expect(locked.setCookie).toBeUndefined();
    // The address is locked too: guessing across account names gains nothing.
    expect((await login('anna')).status).toBe(429);
    full.chat.f.clock.advance(16 * 60_000);
    expect((await login('zoe')).status).toBe(200);
  });

  it('answers an unknown account and a wrong password alike, and throttles the unknown account the same way', async () => {
    const unknown = await login('niemand', { password: 'niet het wachtwoord' });
    const wrong = await login('anna', { password: 'niet het wachtwoord' });
    expect([unknown.status, unknown.body]).toEqual([wrong.status, wrong.body]);
    full.chat.f.clock.advance(16 * 60_000);
    for (let attempt = 0; attempt < 5; attempt++) await login('niemand', { password: 'niet het wachtwoord' });
    expect((await login('niemand', { password: 'niet het wachtwoord' })).status).toBe(429);
    full.chat.f.clock.advance(16 * 60_000);
  });
});
