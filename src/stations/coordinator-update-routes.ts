import type { FastifyInstance, FastifyReply } from 'fastify';
import { isGatewayError, type GatewayError, type GatewayErrorCode } from '../errors.js';
import type { ReceivedUpdate, UpdateIntakeStatus, UploadBody } from '../update/index.js';
import type { CoordinatorBackend } from './coordinator-backend.js';
import { COORDINATOR_CODES, sendCoordinatorError, type SessionGuard } from './coordinator-http.js';

/**
 * Satisfied by UpdateIntake (src/update): the technician's view of versions and the trial, and the
 * upload of a bundle from the laptop (maintenance mode only). Versions and codes, no personal data.
 */
export interface CoordinatorUpdate {
  status(): Promise<UpdateIntakeStatus>;
  refusal(): GatewayError | undefined;
  receive(body: UploadBody, declaredBytes: number | undefined): Promise<ReceivedUpdate>;
}

const BUNDLE_TYPE = 'application/octet-stream';

const STATUS_FOR: Partial<Record<GatewayErrorCode, number>> = {
  HGW_UPDATE_MAINTENANCE_OFF: 409,
  HGW_UPDATE_BUSY: 409,
  HGW_UPDATE_TRIAL_PENDING: 409,
  HGW_UPDATE_TOO_LARGE: 413,
  HGW_UPDATE_UPLOAD_STALLED: 408,
  HGW_UPDATE_UPLOAD_INCOMPLETE: 400,
  HGW_UPDATE_IO: 500,
  HGW_UPDATE_STATE: 500,
  HGW_UPDATE_KEYS: 500,
};

/** Refusals of the bundle itself (signature, version, hardware, files) are 422. */
function statusOf(code: GatewayErrorCode): number {
  return STATUS_FOR[code] ?? 422;
}

/** Field by field, so nothing the view may grow later reaches the page unseen. */
function statusJson(view: UpdateIntakeStatus) {
  return {
    committed: { version: view.committed.version, slot: view.committed.slot },
    currentSlot: view.currentSlot ?? null,
    trial: view.trial,
    floor: view.floor,
    lastResult: view.lastResult,
    pinnedKeyIds: view.pinnedKeyIds,
    hardwareId: view.hardwareId ?? null,
    waiting: view.waiting,
    progress: view.progress,
    maintenance: view.maintenance,
    receiving: view.receiving,
  };
}

/** The body as fastify leaves it for our parser: the request stream itself. */
function isUploadBody(body: unknown): body is UploadBody {
  return body !== null && typeof body === 'object' && typeof (body as { pipe?: unknown }).pipe === 'function' && typeof (body as { pause?: unknown }).pause === 'function';
}

/**
 * GET /api/v1/update (health.read): versions, slots, trial, floor, last result, progress.
 * POST /api/v1/update/bundle (update.apply, technicians): the bundle as application/octet-stream.
 * The session, CSRF and capability checks and the maintenance-mode check all come before a byte of
 * the body is read; a refusal closes the connection so an unread body cannot follow.
 */
export function addUpdateRoutes(app: FastifyInstance, backend: CoordinatorBackend, guard: SessionGuard): void {
  const update = backend.update;
  const absent = (reply: FastifyReply): FastifyReply => sendCoordinatorError(reply, 404, COORDINATOR_CODES.notFound, 'updates are not enabled on this box');

  app.get('/api/v1/update', { onRequest: guard.hook('health.read') }, async (_request, reply) => {
    if (!update) return absent(reply);
    try {
      return statusJson(await update.status());
    } catch (error) {
      // A damaged state file is the technician's to see and repair (docs/updates.md, "Recovery by hand").
      if (!isGatewayError(error)) throw error;
      return sendCoordinatorError(reply, 500, error.code, error.message);
    }
  });

  void app.register(async (scope) => {
    // The body stays a stream: the intake writes it to disk under its own cap and idle timeout.
    scope.addContentTypeParser(BUNDLE_TYPE, (_request, payload, done) => done(null, payload));
    scope.post('/api/v1/update/bundle', { onRequest: guard.hook('update.apply') }, async (request, reply) => {
      if (!update) return absent(reply);
      if (!isUploadBody(request.body) || request.headers['content-type']?.split(';')[0]?.trim() !== BUNDLE_TYPE) {
        reply.header('connection', 'close');
        return sendCoordinatorError(reply, 415, COORDINATOR_CODES.badRequest, `send the bundle file as ${BUNDLE_TYPE}`);
      }
      const length = request.headers['content-length'];
      const declared = length === undefined || !/^\d{1,15}$/.test(length) ? undefined : Number(length);
      const actor = guard.actorOf(request);
      try {
        const received = await update.receive(request.body, declared);
        guard.audit(actor, 'update.uploaded', undefined, { outcome: 'accepted', version: received.version });
        return reply.code(202).send({ version: received.version, message: received.message });
      } catch (error) {
        if (!isGatewayError(error)) throw error;
        guard.audit(actor, 'update.uploaded', undefined, { outcome: 'refused', code: error.code });
        reply.header('connection', 'close');
        return sendCoordinatorError(reply, statusOf(error.code), error.code, error.message);
      }
    });
  });
}
