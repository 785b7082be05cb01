import type { FastifyInstance, FastifyReply } from 'fastify';
import { isContactReference } from '../contacts/contact-reference.js';
import type { ContactReference } from '../contacts/contact-view.js';
import type {
  GivenModeration,
  ModeratedCallerView,
  ModerationEntryView,
  ModerationOverview,
  ModerationResult,
  ModerationStatus,
} from '../moderation/moderation-types.js';
import type { CoordinatorActor, CoordinatorBackend } from './coordinator-backend.js';
import { COORDINATOR_CODES, sendCoordinatorError, type SessionGuard } from './coordinator-http.js';

/**
 * Satisfied by ModerationRegister (src/moderation), which checks the capability again and audits
 * every block and lift itself; the routes add no entries of their own.
 */
export interface CoordinatorModeration {
  overview(actor: CoordinatorActor): ModerationResult<ModerationOverview>;
  block(actor: CoordinatorActor, reference: ContactReference, reason: string): ModerationResult<GivenModeration>;
  lift(actor: CoordinatorActor, id: number, reason: string): ModerationResult<ModerationEntryView>;
}

const REASON = { type: 'string', minLength: 1, maxLength: 2000 } as const;

const BLOCK_SCHEMA = {
  body: {
    type: 'object',
    required: ['reference', 'reason'],
    additionalProperties: false,
    properties: { reference: { type: 'string', minLength: 1, maxLength: 16 }, reason: REASON },
  },
} as const;

const LIFT_SCHEMA = {
  params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } } },
  body: { type: 'object', required: ['reason'], additionalProperties: false, properties: { reason: REASON } },
} as const;

function refusalStatus(result: Extract<ModerationResult<unknown>, { ok: false }>): number {
  if (result.code === 'HGW_MODERATION_FORBIDDEN') return 403;
  if (result.code === 'HGW_MODERATION_UNKNOWN_CONTACT') return 404;
  if (result.code === 'HGW_MODERATION_LOOKUP_FAILED') return 503;
  return result.refusal === 'no-reason' || result.refusal === 'reason-holds-identifier' ? 400 : 409;
}

function sendRefusal(reply: FastifyReply, result: Extract<ModerationResult<unknown>, { ok: false }>): FastifyReply {
  return sendCoordinatorError(reply, refusalStatus(result), result.code, result.message, result.refusal);
}

/** Time Outs and blocks (P4) for the coordinator page: the list, a block with a reason, and lifting. */
export function addModerationRoutes(app: FastifyInstance, backend: CoordinatorBackend, guard: SessionGuard): void {
  const onRequest = guard.hook('moderation.block');
  const moderation = backend.moderation;
  const absent = (reply: FastifyReply): FastifyReply => sendCoordinatorError(reply, 404, COORDINATOR_CODES.notFound, 'Time Outs and blocks are not enabled on this box');

  app.get('/api/v1/moderation', { onRequest }, async (request, reply) => {
    if (!moderation) return absent(reply);
    const listed = moderation.overview(guard.actorOf(request));
    if (!listed.ok) return sendRefusal(reply, listed);
    return overviewJson(listed.value);
  });

  app.post<{ Body: { reference: string; reason: string } }>('/api/v1/moderation/blocks', { onRequest, schema: BLOCK_SCHEMA }, async (request, reply) => {
    if (!moderation) return absent(reply);
    // References are read aloud and typed: "k7q-3f9 " is K7Q-3F9.
    const reference = request.body.reference.trim().toUpperCase();
    if (!isContactReference(reference)) return sendCoordinatorError(reply, 400, COORDINATOR_CODES.badRequest, 'a contact reference looks like K7Q-3F9');
    const blocked = moderation.block(guard.actorOf(request), reference, request.body.reason);
    if (!blocked.ok) return sendRefusal(reply, blocked);
    const { id, kind, until, timeOutsInWindow } = blocked.value;
    return reply.code(201).send({ block: { id, kind, reference: blocked.value.reference, until, timeOutsInWindow } });
  });

  app.post<{ Params: { id: string }; Body: { reason: string } }>('/api/v1/moderation/:id/lift', { onRequest, schema: LIFT_SCHEMA }, async (request, reply) => {
    if (!moderation) return absent(reply);
    const lifted = moderation.lift(guard.actorOf(request), Number(request.params.id), request.body.reason);
    if (!lifted.ok) return sendRefusal(reply, lifted);
    return { entry: entryJson(lifted.value) };
  });
}

/** Field-by-field copies, as coordinator-json.ts does: whatever else an object holds stays off the wire. */
function overviewJson(overview: ModerationOverview): ModerationOverview {
  return {
    timeOutHours: overview.timeOutHours,
    blockMonths: overview.blockMonths,
    timeOutsBeforeBlock: overview.timeOutsBeforeBlock,
    callers: overview.callers.map(callerJson),
  };
}

function callerJson(caller: ModeratedCallerView): ModeratedCallerView {
  return {
    status: statusJson(caller.status),
    timeOutsInWindow: caller.timeOutsInWindow,
    blockable: caller.blockable,
    latestReference: caller.latestReference,
    entries: caller.entries.map(entryJson),
  };
}

function statusJson(status: ModerationStatus): ModerationStatus {
  return status.kind === 'none' ? { kind: 'none' } : { kind: status.kind, until: status.until };
}

function entryJson(entry: ModerationEntryView): ModerationEntryView {
  return {
    id: entry.id,
    kind: entry.kind,
    reference: entry.reference,
    givenBy: entry.givenBy,
    givenAt: entry.givenAt,
    until: entry.until,
    active: entry.active,
    reason: entry.reason,
    liftedAt: entry.liftedAt,
    liftedBy: entry.liftedBy,
  };
}
