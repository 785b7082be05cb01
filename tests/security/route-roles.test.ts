import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityHeaders } from '../../src/http/security-headers.js';
import { CSRF_HEADER, SESSION_COOKIE } from '../../src/stations/index.js';
import { DESK_TOKEN, PASSWORD } from '../support/coordinator-fixture.js';
import { startFullStationServer, type FullStationServer } from './full-station-server.js';
import { ACCOUNT_OF, PRINCIPALS, refusalFor, ROUTE_TABLE, routeRoleTable, type Principal, type RouteRow } from './route-table.js';

/**
 * Every route of the station server and the chat server, as every principal: anonymous, a desk
 * token, and a logged-in volunteer, supervisor, coordinator and technician. The table is
 * tests/security/route-table.ts; a route registered without a row fails here, so a new route has to
 * say who may use it. Capabilities per role are src/accounts/roles.ts; the coordinator API's own
 * tests (tests/stations/coordinator-routes.test.ts, supervision-routes.test.ts) check the same on
 * fake backends, this one on the real cores with every optional part switched on.
 */

let full: FullStationServer;

beforeAll(async () => {
  full = await startFullStationServer();
});

afterAll(async () => {
  await full.stop();
});

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: { code?: string; message?: string; reason?: string } | undefined;
}

const sessions = new Map<string, { cookie: string; csrf: string }>();

/** The account's session, logged in once and again after a logout ended it. */
async function login(accountId: string): Promise<{ cookie: string; csrf: string }> {
  const held = sessions.get(accountId);
  if (held) return held;
  const response = await fetch(`${full.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accountId, password: PASSWORD }) });
  if (response.status !== 200) throw new Error(`login of ${accountId} answered ${response.status}`);
  const cookie = /^hgw_session=([^;]+)/.exec(response.headers.getSetCookie()[0] ?? '')?.[1];
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  if (!cookie) throw new Error('no session cookie');
  sessions.set(accountId, { cookie, csrf: csrfToken });
  return { cookie, csrf: csrfToken };
}

async function request(row: RouteRow, principal: Principal): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (row.body !== undefined) headers['content-type'] = row.contentType ?? 'application/json';
  if (principal === 'desk token') headers['authorization'] = `Bearer ${DESK_TOKEN.token}`;
  if (principal !== 'anonymous' && principal !== 'desk token') {
    const session = await login(ACCOUNT_OF[principal]);
    headers['cookie'] = `${SESSION_COOKIE}=${session.cookie}`;
    headers[CSRF_HEADER] = session.csrf;
  }
  const base = row.server === 'station' ? full.url : full.chatUrl;
  const body = row.body === undefined ? undefined : typeof row.body === 'string' ? row.body : JSON.stringify(row.body);
  const response = await fetch(`${base}${row.path}`, { method: row.method, headers, ...(body === undefined ? {} : { body }) });
  if (row.method === 'DELETE' && row.url === '/api/v1/session') sessions.clear();
  const text = await response.text();
  let parsed: Answer['body'];
  try {
    parsed = JSON.parse(text) as Answer['body'];
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** A refusal by the access checks themselves (not a refusal by the core after them, which carries a reason or another message). */
function refusedByAccessControl(answer: Answer): boolean {
  if (answer.status === 401) return true;
  return answer.status === 403 && answer.body?.reason === undefined && /role may not do this|x-csrf-token|valid station token/.test(answer.body?.message ?? '');
}

describe('the route table', () => {
  it('has a row for every route the station server and the chat server register, and a route for every row', () => {
    const registered = [
      ...full.station.routes().map((route) => `station ${route.method} ${route.url}`),
      ...full.chatServer.routes().map((route) => `chat ${route.method} ${route.url}`),
    ].sort();
    const rows = ROUTE_TABLE.map((row) => `${row.server} ${row.method} ${row.url}`).sort();
    expect(registered.filter((route) => !rows.includes(route)), 'registered routes without a row in tests/security/route-table.ts').toEqual([]);
    expect(rows.filter((row) => !registered.includes(row)), 'rows for routes nobody registers').toEqual([]);
    expect(new Set(rows).size).toBe(rows.length);
  });

  it('is the table docs/security.md shows', () => {
    const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'security.md'), 'utf8');
    expect(doc.includes(routeRoleTable()), `docs/security.md must contain this table:\n${routeRoleTable()}`).toBe(true);
  });
});

describe('every route as every principal', () => {
  it('lets each principal through exactly the routes its row allows, and refuses the others with 401 or 403', async () => {
    const wrong: string[] = [];
    let requests = 0;
    for (const row of ROUTE_TABLE.filter((candidate) => candidate.access.kind !== 'socket')) {
      for (const principal of PRINCIPALS) {
        const answer = await request(row, principal);
        requests += 1;
        const label = `${row.server} ${row.method} ${row.path} as ${principal}: ${answer.status} ${answer.body?.message ?? ''}`;
        if (row.access.kind === 'login') {
          // Anyone reaches the login; a wrong password is the same refusal for all. Time passes so the tries never lock the test's address.
          if (answer.status !== 401 || answer.body?.code !== 'HGW_STATION_UNAUTHORIZED') wrong.push(label);
          full.chat.f.clock.advance(16 * 60_000);
          sessions.clear();
          continue;
        }
        const expected = refusalFor(row.access, principal);
        if (expected === undefined ? refusedByAccessControl(answer) || answer.status >= 500 : answer.status !== expected || !refusedByAccessControl(answer)) wrong.push(label);
      }
    }
    expect(wrong).toEqual([]);
    expect(requests).toBeGreaterThan(400);
  });

  it('sends the security headers on every answer of both servers, refusals included', async () => {
    const stationHeaders = securityHeaders('');
    const missing: string[] = [];
    for (const row of ROUTE_TABLE.filter((candidate) => candidate.access.kind !== 'socket')) {
      for (const principal of ['anonymous', 'coordinator'] as const) {
        const answer = await request(row, principal);
        for (const [name, value] of Object.entries(stationHeaders)) {
          const got = answer.headers.get(name);
          if (got === null || (name !== 'content-security-policy' && got !== value)) missing.push(`${row.server} ${row.method} ${row.path} as ${principal}: ${name}`);
        }
        if (!/default-src 'none'/.test(answer.headers.get('content-security-policy') ?? '') || !/frame-ancestors 'none'/.test(answer.headers.get('content-security-policy') ?? '')) {
          missing.push(`${row.server} ${row.path}: content-security-policy`);
        }
      }
      if (row.access.kind === 'login') {
        full.chat.f.clock.advance(16 * 60_000);
        sessions.clear();
      }
    }
    for (const path of ['/no-such-page', '/api/v1/no-such-route']) {
      for (const base of [full.url, full.chatUrl]) {
        const response = await fetch(`${base}${path}`);
        expect(response.status).toBe(404);
        expect(response.headers.get('x-frame-options')).toBe('DENY');
        expect(response.headers.get('cache-control')).toBe('no-store');
      }
    }
    expect(missing).toEqual([]);
  });
});
