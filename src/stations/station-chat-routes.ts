import type { FastifyInstance } from 'fastify';
import type { StationChatBackend, SuggestedSpan } from '../contacts/conversation-view.js';
import {
  answerWith,
  REFERENCE_PARAMS,
  referenceOf,
  refuseText,
  sendError,
  sendUnauthorized,
  TEXT_BODY,
  TEXT_BODY_LIMIT,
  type StationOf,
} from './station-conversation-http.js';
import { toChatJson, toConversationLineJson } from './station-json.js';

/** More spans than this in one redaction is not a volunteer at work. */
const MAX_SPANS = 64;
const MAX_OFFSET = 1_000_000;

const LINE_PARAMS = {
  type: 'object',
  required: ['reference', 'id'],
  properties: {
    reference: REFERENCE_PARAMS.properties.reference,
    id: { type: 'string', pattern: '^[0-9]{1,9}$' },
  },
} as const;

/** `type` is a detector type (`PHONE`) or empty for text the volunteer selected: the desk writes `[…]` then. */
const REDACT_BODY = {
  type: 'object',
  required: ['spans'],
  additionalProperties: false,
  properties: {
    spans: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_SPANS,
      items: {
        type: 'object',
        required: ['type', 'start', 'end'],
        additionalProperties: false,
        properties: {
          type: { type: 'string', pattern: '^[A-Z]{0,16}$' },
          start: { type: 'integer', minimum: 0, maximum: MAX_OFFSET },
          end: { type: 'integer', minimum: 0, maximum: MAX_OFFSET },
        },
      },
    },
  },
} as const;

/** Sorted by start; undefined when a span is empty or two overlap (the desk replaces each span once). */
function orderedSpans(spans: readonly SuggestedSpan[]): SuggestedSpan[] | undefined {
  const sorted = spans.map((span) => ({ type: span.type, start: span.start, end: span.end })).sort((a, b) => a.start - b.start);
  for (const [index, span] of sorted.entries()) {
    if (span.end <= span.start) return undefined;
    const previous = sorted[index - 1];
    if (previous && span.start < previous.end) return undefined;
  }
  return sorted;
}

type ReferenceRequest = { Params: { reference: string } };

/**
 * The chat panel's routes, behind the station token. The desk decides who may do what (another
 * station's chat, a chat already taken); these routes check shapes and map its codes to statuses.
 */
export function addStationChatRoutes(api: FastifyInstance, chat: StationChatBackend, stationOf: StationOf): void {
  api.get('/api/v1/chats', async (request, reply) => {
    const stationId = stationOf(request);
    if (stationId === undefined) return sendUnauthorized(reply);
    return { chats: chat.chats(stationId).map(toChatJson) };
  });

  api.get<ReferenceRequest>('/api/v1/chats/:reference/lines', { schema: { params: REFERENCE_PARAMS } }, async (request, reply) => {
    const stationId = stationOf(request);
    if (stationId === undefined) return sendUnauthorized(reply);
    return answerWith(reply, chat.lines(referenceOf(request), stationId), 'lines', (lines) => lines.map(toConversationLineJson));
  });

  api.post<ReferenceRequest>('/api/v1/chats/:reference/accept', { schema: { params: REFERENCE_PARAMS } }, async (request, reply) => {
    const stationId = stationOf(request);
    if (stationId === undefined) return sendUnauthorized(reply);
    return answerWith(reply, chat.accept(referenceOf(request), stationId), 'chat', toChatJson);
  });

  api.post<ReferenceRequest & { Body: { text: string } }>(
    '/api/v1/chats/:reference/messages',
    { schema: { params: REFERENCE_PARAMS, body: TEXT_BODY }, bodyLimit: TEXT_BODY_LIMIT },
    async (request, reply) => {
      const stationId = stationOf(request);
      if (stationId === undefined) return sendUnauthorized(reply);
      const refusal = refuseText(request.body.text, 'HGW_CHAT_TOO_LARGE');
      if (refusal) return sendError(reply, refusal.status, refusal.code, refusal.message);
      return answerWith(reply, chat.send(referenceOf(request), stationId, request.body.text), 'line', toConversationLineJson);
    },
  );

  api.post<{ Params: { reference: string; id: string }; Body: { spans: SuggestedSpan[] } }>(
    '/api/v1/chats/:reference/lines/:id/redact',
    { schema: { params: LINE_PARAMS, body: REDACT_BODY } },
    async (request, reply) => {
      const stationId = stationOf(request);
      if (stationId === undefined) return sendUnauthorized(reply);
      const spans = orderedSpans(request.body.spans);
      if (spans === undefined) return sendError(reply, 400, 'HGW_TRANSCRIPT_BAD_SPAN', 'each span must end after it starts, and spans must not overlap');
      const result = chat.redact(referenceOf(request), stationId, Number(request.params.id), spans);
      return answerWith(reply, result, 'line', toConversationLineJson);
    },
  );

  api.post<ReferenceRequest>('/api/v1/chats/:reference/close', { schema: { params: REFERENCE_PARAMS } }, async (request, reply) => {
    const stationId = stationOf(request);
    if (stationId === undefined) return sendUnauthorized(reply);
    return answerWith(reply, chat.close(referenceOf(request), stationId), 'chat', toChatJson);
  });
}
