import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ContactReference, StationBackend, TimeOutRefusalCode } from '../contacts/contact-view.js';
import type { GatewayErrorCode } from '../errors.js';
import { toStationContactJson } from './station-json.js';

const TIME_OUT_SCHEMA = {
  params: {
    type: 'object',
    required: ['reference'],
    properties: { reference: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } },
  },
} as const;

const TIME_OUT_STATUS: Readonly<Record<TimeOutRefusalCode, number>> = {
  HGW_MODERATION_FORBIDDEN: 403,
  HGW_MODERATION_UNKNOWN_CONTACT: 404,
  HGW_MODERATION_NOT_ELIGIBLE: 409,
  HGW_MODERATION_LOOKUP_FAILED: 503,
};

function sendError(reply: FastifyReply, status: number, code: GatewayErrorCode, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ code, message });
}

/**
 * The station's Time Out button (P4), behind the same bearer token as the other station routes. A
 * token names a desk, not a person, so the Time Out is given in the name of `station:<id>` as a
 * volunteer. The answer carries the contact's new view; every station hears it over the socket too.
 */
export function addStationModerationRoutes(api: FastifyInstance, backend: StationBackend, stationOf: (request: FastifyRequest) => string | undefined): void {
  api.post<{ Params: { reference: string } }>('/api/v1/contacts/:reference/time-out', { schema: TIME_OUT_SCHEMA }, async (request, reply) => {
    const stationId = stationOf(request);
    if (stationId === undefined) return sendError(reply, 401, 'HGW_STATION_UNAUTHORIZED', 'a valid station token is required');
    if (!backend.giveTimeOut) return sendError(reply, 404, 'HGW_STATION_NOT_FOUND', 'Time Outs are not enabled on this box');
    const result = backend.giveTimeOut(request.params.reference as ContactReference, stationId);
    if (!result.ok) return sendError(reply, TIME_OUT_STATUS[result.code], result.code, result.message);
    return { contact: toStationContactJson(result.contact), timeOut: { until: result.until } };
  });
}
