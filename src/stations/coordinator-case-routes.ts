import type { FastifyInstance, FastifyReply } from 'fastify';
import { isContactReference } from '../contacts/contact-reference.js';
import type { CallerRequestChannel, CallerRequestKind, CallerRequestResult, CallerRequestView } from '../rights/caller-request-types.js';
import type { CoordinatorBackend, DisclosureRefusalCode } from './coordinator-backend.js';
import { COORDINATOR_CODES, sendCoordinatorError, statusForRefusal, type SessionGuard } from './coordinator-http.js';
import { callerRequestJson, pendingDisclosureJson } from './coordinator-json.js';

const REQUEST_REFERENCE_PARAM = {
  type: 'object',
  required: ['reference'],
  properties: { reference: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } },
} as const;

const REGISTER_REQUEST_SCHEMA = {
  body: {
    type: 'object',
    required: ['kind', 'channel', 'supplied'],
    additionalProperties: false,
    properties: {
      kind: { type: 'string', enum: ['access', 'erasure', 'objection'] },
      channel: { type: 'string', enum: ['phone', 'chat', 'mail'] },
      // A phone number, an e-mail address (at most 254) or a contact reference.
      supplied: { type: 'string', minLength: 1, maxLength: 320 },
      receivedAt: { type: 'integer', minimum: 0 },
    },
  },
} as const;

const EXTEND_SCHEMA = {
  params: REQUEST_REFERENCE_PARAM,
  body: {
    type: 'object',
    required: ['reason', 'noticeSentAt'],
    additionalProperties: false,
    properties: { reason: { type: 'string', minLength: 1, maxLength: 2000 }, noticeSentAt: { type: 'integer', minimum: 0 } },
  },
} as const;


const DISCLOSURE_ID_PARAM = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } },
} as const;

const REQUEST_DISCLOSURE_SCHEMA = {
  body: {
    type: 'object',
    required: ['reference', 'reason'],
    additionalProperties: false,
    properties: { reference: { type: 'string', minLength: 1, maxLength: 16 }, reason: { type: 'string', minLength: 1, maxLength: 2000 } },
  },
} as const;

/** The break-glass refusals as statuses and plain English; `reason` carries the code to the page. */
const DISCLOSURE_REFUSALS: Readonly<Record<DisclosureRefusalCode, { readonly status: number; readonly message: string }>> = {
  'not-coordinator': { status: 403, message: 'only coordinators take part in a disclosure' },
  'no-reason': { status: 400, message: 'write a reason of at least 30 characters' },
  'reason-holds-identifier': { status: 400, message: 'the reason must not contain a phone number, e-mail or IP address' },
  'unknown-contact': { status: 404, message: 'no contact with this reference' },
  'outside-retention': { status: 410, message: 'the identifier is no longer held (outside the retention window)' },
  'same-coordinator': { status: 403, message: 'a second, different coordinator must approve' },
  'not-pending': { status: 409, message: 'this request is not pending' },
  expired: { status: 410, message: 'this request has expired; ask again' },
};

function refuseDisclosure(reply: FastifyReply, reason: DisclosureRefusalCode): FastifyReply {
  const refusal = DISCLOSURE_REFUSALS[reason];
  const code = refusal.status === 403 ? COORDINATOR_CODES.forbidden : refusal.status === 404 ? COORDINATOR_CODES.notFound : COORDINATOR_CODES.conflict;
  return sendCoordinatorError(reply, refusal.status, code, refusal.message, reason);
}

function sendRequestResult(reply: FastifyReply, result: CallerRequestResult<CallerRequestView>, status = 200): FastifyReply {
  if (!result.ok) return sendCoordinatorError(reply, statusForRefusal(result.code), result.code, result.message);
  return reply.code(status).send({ request: callerRequestJson(result.value) });
}

/** Only characters no header or file system treats specially; the extension is the format's. */
function downloadName(fileName: string, format: 'json' | 'html'): string {
  const base = fileName.replace(/\.(json|html?)$/i, '').replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100) || 'access-export';
  return `${base}.${format}`;
}

/** Callers' requests (P13, capability rights.manage) and break-glass disclosure (P16, disclosure.approve). */
export function addCaseRoutes(app: FastifyInstance, backend: CoordinatorBackend, guard: SessionGuard): void {
  const desk = backend.callerRequests;
  const rights = guard.hook('rights.manage');

  app.get('/api/v1/requests', { onRequest: rights }, async (request, reply) => {
    const listed = desk.list(guard.actorOf(request));
    if (!listed.ok) return sendCoordinatorError(reply, statusForRefusal(listed.code), listed.code, listed.message);
    return { requests: listed.value.map(callerRequestJson), alerts: desk.alerts().map(callerRequestJson) };
  });

  app.post<{ Body: { kind: CallerRequestKind; channel: CallerRequestChannel; supplied: string; receivedAt?: number } }>(
    '/api/v1/requests',
    { onRequest: rights, schema: REGISTER_REQUEST_SCHEMA },
    async (request, reply) => {
      const { kind, channel, supplied, receivedAt } = request.body;
      const registered = desk.register(guard.actorOf(request), { kind, channel, supplied, ...(receivedAt === undefined ? {} : { receivedAt }) });
      return sendRequestResult(reply, registered, 201);
    },
  );

  app.post<{ Params: { reference: string } }>(
    '/api/v1/requests/:reference/confirm-identity',
    { onRequest: rights, schema: { params: REQUEST_REFERENCE_PARAM } },
    async (request, reply) => sendRequestResult(reply, desk.confirmIdentity(guard.actorOf(request), request.params.reference)),
  );

  app.post<{ Params: { reference: string }; Body: { reason: string; noticeSentAt: number } }>(
    '/api/v1/requests/:reference/extend',
    { onRequest: rights, schema: EXTEND_SCHEMA },
    async (request, reply) => {
      const { reason, noticeSentAt } = request.body;
      return sendRequestResult(reply, desk.extend(guard.actorOf(request), request.params.reference, { reason, noticeSentAt }));
    },
  );

  /*
   * The one response besides a disclosure approval that carries personal data: the person's own.
   * Answering an access request is done once (the box never keeps the export to be fetched again),
   * so both files come in this one response and the page saves them.
   */
  app.post<{ Params: { reference: string } }>(
    '/api/v1/requests/:reference/access-export',
    { onRequest: rights, schema: { params: REQUEST_REFERENCE_PARAM } },
    async (request, reply) => {
      const exported = desk.exportAccess(guard.actorOf(request), request.params.reference);
      if (!exported.ok) return sendCoordinatorError(reply, statusForRefusal(exported.code), exported.code, exported.message);
      const { view, fileName, htmlFileName, json, html } = exported.value;
      return {
        request: callerRequestJson(view),
        files: [
          { fileName: downloadName(fileName, 'json'), contentType: 'application/json; charset=utf-8', content: json },
          { fileName: downloadName(htmlFileName ?? fileName, 'html'), contentType: 'text/html; charset=utf-8', content: html },
        ],
      };
    },
  );

  app.post<{ Params: { reference: string } }>(
    '/api/v1/requests/:reference/erase',
    { onRequest: rights, schema: { params: REQUEST_REFERENCE_PARAM } },
    async (request, reply) => sendRequestResult(reply, desk.erase(guard.actorOf(request), request.params.reference)),
  );

  app.post<{ Params: { reference: string } }>(
    '/api/v1/requests/:reference/object',
    { onRequest: rights, schema: { params: REQUEST_REFERENCE_PARAM } },
    async (request, reply) => sendRequestResult(reply, desk.object(guard.actorOf(request), request.params.reference)),
  );

  const disclosure = guard.hook('disclosure.approve');
  const disclosures = backend.disclosures;

  app.get('/api/v1/disclosures', { onRequest: disclosure }, async (request, reply) => {
    const pending = disclosures.pending(guard.actorOf(request));
    if (!pending.ok) return refuseDisclosure(reply, pending.reason);
    return { requests: pending.requests.map(pendingDisclosureJson) };
  });

  app.post<{ Body: { reference: string; reason: string } }>(
    '/api/v1/disclosures',
    { onRequest: disclosure, schema: REQUEST_DISCLOSURE_SCHEMA },
    async (request, reply) => {
      // References are read aloud and typed: "k7q-3f9 " is K7Q-3F9.
      const reference = request.body.reference.trim().toUpperCase();
      if (!isContactReference(reference)) {
        return sendCoordinatorError(reply, 400, COORDINATOR_CODES.badRequest, 'a contact reference looks like K7Q-3F9');
      }
      const asked = disclosures.request(guard.actorOf(request), reference, request.body.reason);
      if (!asked.ok) return refuseDisclosure(reply, asked.reason);
      return reply.code(201).send({ requestId: asked.requestId });
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/disclosures/:id/approve',
    { onRequest: disclosure, schema: { params: DISCLOSURE_ID_PARAM } },
    async (request, reply) => {
      const approved = disclosures.approve(guard.actorOf(request), Number(request.params.id));
      if (!approved.ok) return refuseDisclosure(reply, approved.reason);
      // Shown once, to this coordinator; cache-control: no-store is on every response.
      return { requestId: approved.requestId, reference: approved.reference, revealed: approved.revealed, incidentId: approved.incidentId };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/disclosures/:id/refuse',
    { onRequest: disclosure, schema: { params: DISCLOSURE_ID_PARAM } },
    async (request, reply) => {
      const refused = disclosures.refuse(guard.actorOf(request), Number(request.params.id));
      if (!refused.ok) return refuseDisclosure(reply, refused.reason);
      return { requestId: Number(request.params.id), state: 'refused' };
    },
  );
}
