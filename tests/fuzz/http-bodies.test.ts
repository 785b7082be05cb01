import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER, SESSION_COOKIE } from '../../src/stations/index.js';
import { DESK_TOKEN, PASSWORD } from '../support/coordinator-fixture.js';
import { startFullStationServer, type FullStationServer } from '../security/full-station-server.js';
import { ROUTE_TABLE, type RouteRow } from '../security/route-table.js';
import { budget, FuzzReport } from './fuzz-budget.js';
import { hostileString, mutatedBody, plantedIdentifier, plantedIn, plantedSightings } from './hostile-values.js';

/**
 * Every HTTP route of the station server with a body, a parameter or a query (the rows of
 * tests/security/route-table.ts), on the full station server over the real cores, as a principal
 * the route lets in: bodies mutated from the row's valid one, any JSON, text that is not JSON,
 * bodies past the limits, odd content types, hostile path segments and query strings. The answer is
 * 2xx or a 4xx with an HGW_* code and a one-line message that repeats no planted identifier; never
 * a 5xx, and no log line says a request failed or carries a planted identifier.
 */

const report = new FuzzReport('http-bodies');
afterAll(() => report.write());

/** The accounts the principals log in as; the account routes may not act on these, or the fuzz would lock itself out. */
const PRINCIPAL_ACCOUNTS = new Set(['anna', 'sam', 'tom', 'vera', 'bram']);

let full: FullStationServer;
const sessions = new Map<string, { cookie: string; csrf: string }>();

beforeAll(async () => {
  full = await startFullStationServer();
});

afterAll(async () => {
  await full.stop();
});

async function session(accountId: string, fresh = false): Promise<{ cookie: string; csrf: string }> {
  const known = sessions.get(accountId);
  if (known && !fresh) return known;
  const response = await fetch(`${full.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accountId, password: PASSWORD }) });
  if (response.status !== 200) throw new Error(`login of ${accountId}: ${response.status}`);
  const cookie = /^hgw_session=([^;]+)/.exec(response.headers.getSetCookie()[0] ?? '')?.[1] ?? '';
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  const created = { cookie, csrf: csrfToken };
  sessions.set(accountId, created);
  return created;
}

function accountFor(row: RouteRow): string | undefined {
  if (row.access.kind === 'desk' || row.access.kind === 'public' || row.access.kind === 'login' || row.access.kind === 'socket') return undefined;
  if (row.access.kind === 'capability' && row.access.capability === 'update.apply') return 'tom';
  if (row.access.kind === 'capability' && row.access.capability === 'listen-along') return 'sam';
  return 'anna';
}

const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', 'application/json; charset=latin1', ''];

interface HttpInput {
  readonly body: string | undefined;
  readonly contentType: string;
  readonly params: readonly (string | undefined)[];
  readonly query: string;
}

function inputFor(row: RouteRow): fc.Arbitrary<HttpInput> {
  const sample = typeof row.body === 'object' && row.body !== null ? (row.body as Record<string, unknown>) : undefined;
  const paramCount = (row.url.match(/:[a-zA-Z]+/g) ?? []).length;
  const body = fc.oneof(
    { weight: 6, arbitrary: mutatedBody(sample).map((value) => JSON.stringify(value) ?? 'null') },
    { weight: 1, arbitrary: fc.constant(row.body === undefined ? undefined : typeof row.body === 'string' ? row.body : JSON.stringify(row.body)) },
    { weight: 1, arbitrary: hostileString },
    { weight: 1, arbitrary: fc.constantFrom('{"a":', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}', '[]', 'null', '"x"', '{"a":1,"a":2}', '\ufeff{}') },
    { weight: 1, arbitrary: fc.integer({ min: 3_000, max: 80_000 }).map((size) => JSON.stringify({ text: 'x'.repeat(size), reason: 'y'.repeat(size) })) },
    { weight: 1, arbitrary: fc.integer({ min: 100, max: 3_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('latin1')) },
  );
  const segment = fc.oneof(hostileString, plantedIdentifier, fc.constantFrom('%!%E0%A4%A', '%!%ff%fe', '%!%', '0', '-1', '1e3', '99999999999', 'K7Q-3F9', '..', '%', 'a'.repeat(200), `${'0641729358'.repeat(12)}`));
  const params = fc.array(fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: segment }), { minLength: paramCount, maxLength: paramCount });
  const query = fc.oneof(
    { weight: 4, arbitrary: fc.constant('') },
    { weight: 1, arbitrary: fc.array(fc.tuple(fc.oneof(fc.constantFrom('limit', 'after', 'token', '__proto__'), hostileString), hostileString), { maxLength: 3 }).map((pairs) => `?${pairs.map(([key, value]) => `${encodeSegment(key)}=${encodeSegment(value)}`).join('&')}`) },
  );
  const contentType = fc.oneof({ weight: 6, arbitrary: fc.constant(row.contentType ?? 'application/json') }, { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES) });
  return fc.record({ body: row.method === 'GET' ? fc.constant(undefined) : body, contentType, params, query });
}

/** The row's sample path with some parameters replaced; an account route never names a principal's account. */
function pathOf(row: RouteRow, params: readonly (string | undefined)[]): string {
  const samples = row.path.split('/');
  const parts = row.url.split('/');
  let index = 0;
  const path = parts.map((part, at) => (part.startsWith(':') ? (params[index++] ?? decodeURIComponent(samples[at] ?? part)) : part));
  if (row.url.startsWith('/api/v1/accounts/:id') && PRINCIPAL_ACCOUNTS.has((path[4] ?? '').trim().toLowerCase())) path[4] = 'zoe';
  return path.map((part, at) => (parts[at]?.startsWith(':') ? encodeSegment(part) : part)).join('/');
}

/** Percent-encoded UTF-8 (a lone surrogate becomes U+FFFD); a segment starting with "%!" is sent raw, bad escapes and all. */
function encodeSegment(text: string): string {
  if (text.startsWith('%!')) return text.slice(2);
  return [...Buffer.from(text, 'utf8')].map((byte) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

const FUZZED = ROUTE_TABLE.filter((row) => row.server === 'station' && row.access.kind !== 'socket' && row.access.kind !== 'public' && row.access.kind !== 'login');
const LOGIN = ROUTE_TABLE.find((row) => row.access.kind === 'login');

describe('HTTP bodies under fuzzing', () => {
  it('covers every route the station server registers but its pages, its socket and the login', () => {
    const unfuzzed = new Set(ROUTE_TABLE.filter((row) => !FUZZED.includes(row)).map((row) => `${row.method} ${row.url}`));
    const registered = full.station.routes().map((route) => `${route.method} ${route.url}`).filter((route) => !unfuzzed.has(route));
    expect(FUZZED.map((row) => `${row.method} ${row.url}`).sort()).toEqual(registered.sort());
    expect([...unfuzzed].filter((route) => !/^GET \/(station|coordinator)|^GET \/$|^GET \/api\/v1\/(health|events)$|^POST \/api\/v1\/session$/.test(route) && !route.includes('/chat.') && route !== 'GET /ws')).toEqual([]);
    expect(LOGIN?.url).toBe('/api/v1/session');
  });

  it.each(FUZZED.map((row) => [`${row.method} ${row.url}`, row] as const))('%s: answers any body, path and query with 2xx or a 4xx and an HGW_* code, never 5xx', (name, row) => fuzzRoute(name, row));

  it('POST /api/v1/session (the login, last: its failures lock the address): answers any body with 2xx or a 4xx and an HGW_* code', async () => {
    if (!LOGIN) throw new Error('no login row');
    await fuzzRoute('POST /api/v1/session', LOGIN);
    full.chat.f.clock.advance(16 * 60_000);
  });
});

async function fuzzRoute(name: string, row: RouteRow): Promise<void> {
  const target = report.target(name);
  const account = accountFor(row);
  const logStart = full.logLines.length;
  await fc.assert(
    fc.asyncProperty(inputFor(row), async (input) => {
      await target.runAsync(async () => {
        const send = async (): Promise<Response> => {
          const headers: Record<string, string> = {};
          if (input.body !== undefined && input.contentType !== '') headers['content-type'] = input.contentType;
          if (row.access.kind === 'desk') headers['authorization'] = `Bearer ${DESK_TOKEN.token}`;
          else if (account !== undefined) {
            const held = await session(account);
            headers['cookie'] = `${SESSION_COOKIE}=${held.cookie}`;
            headers[CSRF_HEADER] = held.csrf;
          }
          return fetch(`${full.url}${pathOf(row, input.params)}${input.query}`, { method: row.method, headers, ...(input.body === undefined ? {} : { body: input.body }) });
        };
        let response = await send();
        if (response.status === 401 && account !== undefined) {
          await response.text();
          await session(account, true);
          response = await send();
        }
        const text = await response.text();
        expect(response.status, text.slice(0, 300)).toBeLessThan(500);
        if (response.status >= 400) {
          const body = JSON.parse(text) as { code?: string; message?: string };
          expect(body.code ?? '').toMatch(/^HGW_[A-Z_]+$/);
          expect(body.message ?? '').not.toMatch(/[\r\n]/);
          expect(plantedIn(body.message ?? ''), body.message).toBeUndefined();
          target.outcome(`${response.status} ${body.code ?? ''}`);
        } else {
          target.outcome(String(response.status));
        }
      }, 5_000);
    }),
    budget(40),
  );
  const lines = full.logLines.slice(logStart);
  expect(lines.filter((line) => /request failed|"level":50/.test(line)), 'error log lines').toEqual([]);
  for (const line of lines) expect(plantedIn(line), line).toBeUndefined();
  expect(plantedSightings(`log of ${name}`, lines)).toEqual([]);
  target.finished();
}

describe('regressions found by fuzzing the HTTP API', () => {
  it('answers an overlong path parameter, a URL that does not decode and oversized headers in the server\'s own words: fastify quoted the URL, without a code or security headers', async () => {
    const planted = '0641729358'.repeat(12);
    const cases: Array<[string, string, Record<string, string>, number]> = [
      [full.url, `/api/v1/chats/${planted}/lines`, {}, 414],
      [full.url, '/api/v1/chats/%E0%A4%A/lines', {}, 400],
      [full.url, `/api/v1/mails?q=${'a'.repeat(20_000)}`, {}, 431],
      [full.chatUrl, `/${planted}%ff`, {}, 400],
    ];
    for (const [base, path, headers, status] of cases) {
      const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${DESK_TOKEN.token}`, ...headers } });
      const text = await response.text();
      expect([path.slice(0, 30), response.status]).toEqual([path.slice(0, 30), status]);
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
      expect(text).not.toMatch(/0641729358|%E0|FST_ERR/);
      if (base === full.url) expect(JSON.parse(text)).toMatchObject({ code: 'HGW_STATION_BAD_REQUEST' });
      else expect(text).toBe('Ongeldig verzoek');
    }
  });

  it('refuses approving or refusing a disclosure id of six digits or more with 409, audited without a target: the audit refusal of "disclosure-41729358" made it a 500', async () => {
    const held = await session('anna');
    for (const action of ['approve', 'refuse']) {
      const response = await fetch(`${full.url}/api/v1/disclosures/41729358/${action}`, { method: 'POST', headers: { cookie: `${SESSION_COOKIE}=${held.cookie}`, [CSRF_HEADER]: held.csrf } });
      expect(response.status).toBe(409);
      expect(await response.json()).toMatchObject({ reason: 'not-pending' });
    }
    const audit = full.chat.f.audit.entries(0, 10_000).filter((entry) => entry.action === 'request.refused' && entry.details['attempt'] !== undefined);
    expect(audit.at(-1)).toMatchObject({ target: null, details: { subject: 'disclosure', refusal: 'not-pending' } });
  });
});
