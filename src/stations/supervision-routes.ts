import type { FastifyInstance, FastifyReply } from 'fastify';
import { isContactReference } from '../contacts/contact-reference.js';
import type { GatewayErrorCode } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { CoordinatorBackend } from './coordinator-backend.js';
import { COORDINATOR_CODES, sendCoordinatorError, SessionGuard } from './coordinator-http.js';
import type { ListenAlongView, LiveCallView, SupervisionDeskView, SupervisionRefusal, SupervisionResult } from './supervision-backend.js';

export interface SupervisionPluginOptions {
  readonly backend: CoordinatorBackend;
  readonly logger: Logger;
}

const SESSION_ID_PARAM = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } } } as const;

const START_SCHEMA = {
  body: {
    type: 'object',
    required: ['reference', 'fromStationId'],
    additionalProperties: false,
    properties: {
      reference: { type: 'string', minLength: 1, maxLength: 16 },
      fromStationId: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,31}$' },
      whisper: { type: 'boolean' },
    },
  },
} as const;

const WHISPER_SCHEMA = {
  params: SESSION_ID_PARAM,
  body: { type: 'object', required: ['on'], additionalProperties: false, properties: { on: { type: 'boolean' } } },
} as const;

const REFUSAL_STATUS: Readonly<Record<SupervisionRefusal, readonly [number, GatewayErrorCode]>> = {
  forbidden: [403, COORDINATOR_CODES.forbidden],
  'other-group': [403, COORDINATOR_CODES.forbidden],
  'not-yours': [403, COORDINATOR_CODES.forbidden],
  'unknown-desk': [404, COORDINATOR_CODES.notFound],
  'unknown-call': [404, COORDINATOR_CODES.notFound],
  'unknown-session': [404, COORDINATOR_CODES.notFound],
  'no-desk-phone': [400, COORDINATOR_CODES.badRequest],
  'not-connected': [409, COORDINATOR_CODES.conflict],
  'desk-busy': [409, COORDINATOR_CODES.conflict],
  'phone-unanswered': [409, COORDINATOR_CODES.conflict],
};

function sendRefusal(reply: FastifyReply, result: Extract<SupervisionResult<unknown>, { ok: false }>): FastifyReply {
  const [status, code] = REFUSAL_STATUS[result.refusal];
  return sendCoordinatorError(reply, status, code, result.message, result.refusal);
}

/**
 * The supervision routes as their own plugin beside the coordinator's, with the same cookie
 * session, CSRF and capability checks (a SessionGuard of their own).
 */
export async function supervisionPlugin(app: FastifyInstance, options: SupervisionPluginOptions): Promise<void> {
  addSupervisionRoutes(app, options.backend, new SessionGuard(options.backend, options.logger));
}

/**
 * Live calls by station and listen-along (issue 4, items 5 and 6), for the `listen-along`
 * capability (supervisors). The backend checks the group and audits every start and stop itself.
 */
export function addSupervisionRoutes(app: FastifyInstance, backend: CoordinatorBackend, guard: SessionGuard): void {
  const onRequest = guard.hook('listen-along');
  const supervision = backend.supervision;
  const absent = (reply: FastifyReply): FastifyReply => sendCoordinatorError(reply, 404, COORDINATOR_CODES.notFound, 'listen-along needs the SIP line; it is not enabled on this box');

  app.get('/api/v1/supervision/calls', { onRequest }, async (request, reply) => {
    if (!supervision) return absent(reply);
    const { accountId } = guard.actorOf(request);
    return {
      calls: supervision.liveCalls().map(liveCallJson),
      desks: supervision.desks().map(deskJson),
      sessions: supervision.sessions().filter((session) => session.accountId === accountId).map(listenAlongJson),
    };
  });

  app.post<{ Body: { reference: string; fromStationId: string; whisper?: boolean } }>(
    '/api/v1/supervision/listen-along',
    { onRequest, schema: START_SCHEMA },
    async (request, reply) => {
      if (!supervision) return absent(reply);
      // References are read aloud and typed: "k7q-3f9 " is K7Q-3F9.
      const reference = request.body.reference.trim().toUpperCase();
      if (!isContactReference(reference)) return sendCoordinatorError(reply, 400, COORDINATOR_CODES.badRequest, 'a contact reference looks like K7Q-3F9');
      const started = await supervision.startListenAlong(guard.actorOf(request), reference, request.body.fromStationId, request.body.whisper ?? false);
      if (!started.ok) return sendRefusal(reply, started);
      return reply.code(201).send({ session: listenAlongJson(started.value) });
    },
  );

  app.post<{ Params: { id: string }; Body: { on: boolean } }>('/api/v1/supervision/listen-along/:id/whisper', { onRequest, schema: WHISPER_SCHEMA }, async (request, reply) => {
    if (!supervision) return absent(reply);
    const switched = supervision.setWhisper(guard.actorOf(request), request.params.id, request.body.on);
    if (!switched.ok) return sendRefusal(reply, switched);
    return { session: listenAlongJson(switched.value) };
  });

  app.delete<{ Params: { id: string } }>('/api/v1/supervision/listen-along/:id', { onRequest, schema: { params: SESSION_ID_PARAM } }, async (request, reply) => {
    if (!supervision) return absent(reply);
    const stopped = await supervision.stopListenAlong(guard.actorOf(request), request.params.id);
    if (!stopped.ok) return sendRefusal(reply, stopped);
    return reply.code(204).send();
  });
}

/** Field-by-field copies, as coordinator-json.ts does: whatever else an object holds stays off the wire. */
function liveCallJson(call: LiveCallView): LiveCallView {
  return {
    reference: call.reference,
    stationId: call.stationId,
    stationName: call.stationName,
    group: call.group,
    state: call.state,
    since: call.since,
    listeners: call.listeners,
  };
}

function deskJson(desk: SupervisionDeskView): SupervisionDeskView {
  return { stationId: desk.stationId, stationName: desk.stationName, group: desk.group };
}

function listenAlongJson(session: ListenAlongView): ListenAlongView {
  return {
    sessionId: session.sessionId,
    reference: session.reference,
    stationId: session.stationId,
    stationName: session.stationName,
    fromStationId: session.fromStationId,
    accountId: session.accountId,
    whisper: session.whisper,
    startedAt: session.startedAt,
  };
}
