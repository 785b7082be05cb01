import { can, type Capability, type Role } from '../../src/accounts/roles.js';

/**
 * Who may use which route: one row per route the station server and the chat server register.
 * tests/security/route-roles.test.ts fails for a registered route without a row (and for a row
 * without a route), and requests every row as every principal; docs/security.md carries the table
 * this file renders.
 */

export type Access =
  | { readonly kind: 'public' }
  /** POST /api/v1/session: anyone may try (throttled). */
  | { readonly kind: 'login' }
  /** Authorization: Bearer <desk token> (stations.desks). */
  | { readonly kind: 'desk' }
  /** Any logged-in account (the session cookie; state changes need the CSRF header). */
  | { readonly kind: 'session' }
  | { readonly kind: 'capability'; readonly capability: Capability }
  /** A WebSocket: the origin and authentication rules are tested in websocket-origin.test.ts. */
  | { readonly kind: 'socket'; readonly rule: string };

export interface RouteRow {
  readonly server: 'station' | 'chat';
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The pattern as registered. */
  readonly url: string;
  /** A path that matches the pattern, with ids nobody holds (an allowed principal gets 404, not 401/403). */
  readonly path: string;
  /** A body that passes the route's schema, where it has one. */
  readonly body?: unknown;
  readonly contentType?: string;
  readonly access: Access;
}

export const PRINCIPALS = ['anonymous', 'desk token', 'volunteer', 'supervisor', 'coordinator', 'technician'] as const;
export type Principal = (typeof PRINCIPALS)[number];

/** The account each role principal logs in as (tests/security/full-station-server.ts creates them). */
export const ACCOUNT_OF: Readonly<Record<Exclude<Principal, 'anonymous' | 'desk token'>, string>> = {
  volunteer: 'vera',
  supervisor: 'sam',
  coordinator: 'anna',
  technician: 'tom',
};

const REFERENCE = 'K7Q-3F9';
const capability = (name: Capability): Access => ({ kind: 'capability', capability: name });
const DESK: Access = { kind: 'desk' };
const PUBLIC: Access = { kind: 'public' };
const SESSION: Access = { kind: 'session' };

function station(method: RouteRow['method'], url: string, access: Access, sample: { path?: string; body?: unknown; contentType?: string } = {}): RouteRow {
  return { server: 'station', method, url, path: sample.path ?? url, access, ...(sample.body === undefined ? {} : { body: sample.body }), ...(sample.contentType === undefined ? {} : { contentType: sample.contentType }) };
}

export const ROUTE_TABLE: readonly RouteRow[] = [
  // Pages and their scripts: no data in them, served to anyone.
  station('GET', '/', PUBLIC),
  station('GET', '/station.js', PUBLIC),
  station('GET', '/station-chat.js', PUBLIC),
  station('GET', '/station-mail.js', PUBLIC),
  station('GET', '/station.css', PUBLIC),
  station('GET', '/coordinator', PUBLIC),
  station('GET', '/coordinator.js', PUBLIC),
  station('GET', '/coordinator-transcripts.js', PUBLIC),
  station('GET', '/coordinator-update.js', PUBLIC),
  station('GET', '/coordinator.css', PUBLIC),
  station('GET', '/api/v1/health', PUBLIC),
  station('GET', '/api/v1/events', { kind: 'socket', rule: 'same origin (or no Origin); desk token in the first frame' }),
  // The volunteer's station: desk tokens.
  station('GET', '/api/v1/contacts', DESK),
  station('GET', '/api/v1/categories', DESK),
  station('POST', '/api/v1/contacts/:reference/wrap-up', DESK, { path: `/api/v1/contacts/${REFERENCE}/wrap-up`, body: { ageBand: '12-14', topic: 'school', outcome: 'conversation' } }),
  station('POST', '/api/v1/contacts/:reference/time-out', DESK, { path: `/api/v1/contacts/${REFERENCE}/time-out` }),
  station('GET', '/api/v1/chats', DESK),
  station('GET', '/api/v1/chats/:reference/lines', DESK, { path: `/api/v1/chats/${REFERENCE}/lines` }),
  station('POST', '/api/v1/chats/:reference/accept', DESK, { path: `/api/v1/chats/${REFERENCE}/accept` }),
  station('POST', '/api/v1/chats/:reference/messages', DESK, { path: `/api/v1/chats/${REFERENCE}/messages`, body: { text: 'hoi' } }),
  station('POST', '/api/v1/chats/:reference/lines/:id/redact', DESK, { path: `/api/v1/chats/${REFERENCE}/lines/1/redact`, body: { spans: [{ type: 'PHONE', start: 0, end: 2 }] } }),
  station('POST', '/api/v1/chats/:reference/close', DESK, { path: `/api/v1/chats/${REFERENCE}/close` }),
  station('GET', '/api/v1/mails', DESK),
  station('GET', '/api/v1/mails/:reference/messages', DESK, { path: `/api/v1/mails/${REFERENCE}/messages` }),
  station('POST', '/api/v1/mails/:reference/open', DESK, { path: `/api/v1/mails/${REFERENCE}/open` }),
  station('POST', '/api/v1/mails/:reference/answer', DESK, { path: `/api/v1/mails/${REFERENCE}/answer`, body: { text: 'Dank je voor je mail.' } }),
  station('POST', '/api/v1/mails/:reference/resend', DESK, { path: `/api/v1/mails/${REFERENCE}/resend` }),
  station('POST', '/api/v1/mails/:reference/close', DESK, { path: `/api/v1/mails/${REFERENCE}/close` }),
  // Accounts and sessions.
  station('POST', '/api/v1/session', { kind: 'login' }, { body: { accountId: 'niemand', password: 'een verkeerd wachtwoord' } }),
  station('GET', '/api/v1/session', SESSION),
  station('DELETE', '/api/v1/session', SESSION),
  station('GET', '/api/v1/accounts', capability('accounts.manage')),
  station('POST', '/api/v1/accounts', capability('accounts.manage'), { body: { id: 'nieuw', role: 'volunteer', password: 'een lange wachtzin voor tests' } }),
  station('PUT', '/api/v1/accounts/:id/role', capability('accounts.manage'), { path: '/api/v1/accounts/zoe/role', body: { role: 'volunteer' } }),
  station('POST', '/api/v1/accounts/:id/disable', capability('accounts.manage'), { path: '/api/v1/accounts/niemand/disable' }),
  station('POST', '/api/v1/accounts/:id/enable', capability('accounts.manage'), { path: '/api/v1/accounts/zoe/enable' }),
  // Callers' requests and break-glass.
  station('GET', '/api/v1/requests', capability('rights.manage')),
  station('POST', '/api/v1/requests', capability('rights.manage'), { body: { kind: 'access', channel: 'phone', supplied: REFERENCE } }),
  station('POST', '/api/v1/requests/:reference/confirm-identity', capability('rights.manage'), { path: '/api/v1/requests/RQ-none/confirm-identity' }),
  station('POST', '/api/v1/requests/:reference/extend', capability('rights.manage'), { path: '/api/v1/requests/RQ-none/extend', body: { reason: 'veel verzoeken tegelijk deze maand', noticeSentAt: 1 } }),
  station('POST', '/api/v1/requests/:reference/access-export', capability('rights.manage'), { path: '/api/v1/requests/RQ-none/access-export' }),
  station('POST', '/api/v1/requests/:reference/erase', capability('rights.manage'), { path: '/api/v1/requests/RQ-none/erase' }),
  station('POST', '/api/v1/requests/:reference/object', capability('rights.manage'), { path: '/api/v1/requests/RQ-none/object' }),
  station('GET', '/api/v1/disclosures', capability('disclosure.approve')),
  station('POST', '/api/v1/disclosures', capability('disclosure.approve'), { body: { reference: REFERENCE, reason: 'x' } }),
  station('POST', '/api/v1/disclosures/:id/approve', capability('disclosure.approve'), { path: '/api/v1/disclosures/999/approve' }),
  station('POST', '/api/v1/disclosures/:id/refuse', capability('disclosure.approve'), { path: '/api/v1/disclosures/999/refuse' }),
  // Incidents, audit, retention.
  station('GET', '/api/v1/incidents', capability('incidents.manage')),
  station('POST', '/api/v1/incidents', capability('incidents.manage'), { body: { kind: 'other', severity: 'low', summary: 'een test' } }),
  station('POST', '/api/v1/incidents/:id/assessment', capability('incidents.manage'), { path: '/api/v1/incidents/999/assessment', body: { assessment: 'niets' } }),
  station('POST', '/api/v1/incidents/:id/reported-to-authority', capability('incidents.manage'), { path: '/api/v1/incidents/999/reported-to-authority' }),
  station('POST', '/api/v1/incidents/:id/persons-notified', capability('incidents.manage'), { path: '/api/v1/incidents/999/persons-notified' }),
  station('POST', '/api/v1/incidents/:id/close', capability('incidents.manage'), { path: '/api/v1/incidents/999/close' }),
  station('GET', '/api/v1/audit', capability('audit.read')),
  station('GET', '/api/v1/audit/verification', capability('audit.read')),
  station('GET', '/api/v1/retention', capability('audit.read')),
  // Moderation (blocks), transcripts.
  station('GET', '/api/v1/moderation', capability('moderation.block')),
  station('POST', '/api/v1/moderation/blocks', capability('moderation.block'), { body: { reference: REFERENCE, reason: 'herhaaldelijk misbruik van de lijn' } }),
  station('POST', '/api/v1/moderation/:id/lift', capability('moderation.block'), { path: '/api/v1/moderation/999/lift', body: { reason: 'afspraak gemaakt met de beller' } }),
  station('GET', '/api/v1/transcripts', capability('transcripts.read')),
  station('GET', '/api/v1/transcripts/:reference', capability('transcripts.read'), { path: `/api/v1/transcripts/${REFERENCE}` }),
  station('POST', '/api/v1/transcripts/:reference/address', capability('transcripts.read'), { path: `/api/v1/transcripts/${REFERENCE}/address` }),
  station('POST', '/api/v1/transcripts/:reference/fragment-drafts', capability('transcripts.read'), { path: `/api/v1/transcripts/${REFERENCE}/fragment-drafts`, body: { lineIds: [1] } }),
  station('POST', '/api/v1/fragment-drafts/:id/save', capability('transcripts.read'), { path: `/api/v1/fragment-drafts/${'a'.repeat(32)}/save`, body: { title: 'titel', text: 'tekst' } }),
  station('DELETE', '/api/v1/fragment-drafts/:id', capability('transcripts.read'), { path: `/api/v1/fragment-drafts/${'a'.repeat(32)}` }),
  station('GET', '/api/v1/fragments', capability('transcripts.read')),
  station('DELETE', '/api/v1/fragments/:id', capability('transcripts.read'), { path: '/api/v1/fragments/999' }),
  // Listen-along.
  station('GET', '/api/v1/supervision/calls', capability('listen-along')),
  station('POST', '/api/v1/supervision/listen-along', capability('listen-along'), { body: { reference: REFERENCE, fromStationId: 'desk-1' } }),
  station('POST', '/api/v1/supervision/listen-along/:id/whisper', capability('listen-along'), { path: '/api/v1/supervision/listen-along/none/whisper', body: { on: true } }),
  station('DELETE', '/api/v1/supervision/listen-along/:id', capability('listen-along'), { path: '/api/v1/supervision/listen-along/none' }),
  // The technician's part: health, versions, updates.
  station('GET', '/api/v1/system/version', capability('health.read')),
  station('GET', '/api/v1/system/health', capability('health.read')),
  station('GET', '/health', capability('health.read')),
  station('GET', '/api/v1/update', capability('health.read')),
  station('POST', '/api/v1/update/bundle', capability('update.apply'), { body: 'not a bundle', contentType: 'application/octet-stream' }),
  // The public chat, on its own listener.
  { server: 'chat', method: 'GET', url: '/', path: '/', access: PUBLIC },
  { server: 'chat', method: 'GET', url: '/chat.js', path: '/chat.js', access: PUBLIC },
  { server: 'chat', method: 'GET', url: '/chat.css', path: '/chat.css', access: PUBLIC },
  { server: 'chat', method: 'GET', url: '/ws', path: '/ws', access: { kind: 'socket', rule: 'same host as the page (or no Origin); anyone may chat' } },
];

const ROLE_OF: Readonly<Record<Principal, Role | undefined>> = {
  anonymous: undefined,
  'desk token': undefined,
  volunteer: 'volunteer',
  supervisor: 'supervisor',
  coordinator: 'coordinator',
  technician: 'technician',
};

/** The status a principal is refused with, or undefined where it is let through. */
export function refusalFor(access: Access, principal: Principal): 401 | 403 | undefined {
  const role = ROLE_OF[principal];
  switch (access.kind) {
    case 'public':
    case 'login':
    case 'socket':
      return undefined;
    case 'desk':
      return principal === 'desk token' ? undefined : 401;
    case 'session':
      return role === undefined ? 401 : undefined;
    case 'capability':
      if (role === undefined) return 401;
      return can(role, access.capability) ? undefined : 403;
  }
}

function accessText(access: Access): string {
  switch (access.kind) {
    case 'public':
      return 'anyone';
    case 'login':
      return 'anyone (throttled)';
    case 'desk':
      return 'desk token';
    case 'session':
      return 'any account';
    case 'capability':
      return `\`${access.capability}\``;
    case 'socket':
      return `WebSocket: ${access.rule}`;
  }
}

/** The route × principal table for docs/security.md: ✓ let through, 401 / 403 refused. */
export function routeRoleTable(): string {
  const header = `| server | method | route | who | ${PRINCIPALS.join(' | ')} |`;
  const rule = `| --- | --- | --- | --- | ${PRINCIPALS.map(() => '---').join(' | ')} |`;
  const rows = ROUTE_TABLE.map((row) => {
    const cells = PRINCIPALS.map((principal) => (row.access.kind === 'socket' ? 'see below' : (refusalFor(row.access, principal) ?? '✓')));
    return `| ${row.server} | ${row.method} | \`${row.url}\` | ${accessText(row.access)} | ${cells.join(' | ')} |`;
  });
  return [header, rule, ...rows].join('\n');
}
