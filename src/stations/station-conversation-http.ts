import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ContactReference } from '../contacts/contact-view.js';
import type { ConversationResult } from '../contacts/conversation-view.js';
import type { GatewayErrorCode } from '../errors.js';

/** The longest message or answer a volunteer may send, in UTF-16 code units (what `String.length` counts). */
export const MAX_TEXT_LENGTH = 10_000;
/** Room for MAX_TEXT_LENGTH characters as JSON even when every one is escaped (`\uXXXX`, 6 bytes). */
export const TEXT_BODY_LIMIT = 64 * 1024;

export type StationOf = (request: FastifyRequest) => string | undefined;

export const REFERENCE_PARAMS = {
  type: 'object',
  required: ['reference'],
  properties: { reference: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } },
} as const;

export const TEXT_BODY = {
  type: 'object',
  required: ['text'],
  additionalProperties: false,
  properties: { text: { type: 'string' } },
} as const;

/** How a desk's refusal reads over HTTP; a code not listed here is the server's fault (500). */
const CONVERSATION_STATUS: Partial<Record<GatewayErrorCode, number>> = {
  HGW_CHAT_UNKNOWN_CHAT: 404,
  HGW_MAIL_UNKNOWN_THREAD: 404,
  HGW_STATION_UNKNOWN_CONTACT: 404,
  HGW_TRANSCRIPT_FORBIDDEN: 403,
  HGW_STATION_FORBIDDEN: 403,
  HGW_CHAT_INVALID_STATE: 409,
  HGW_STATION_CONFLICT: 409,
  HGW_TRANSCRIPT_BAD_SPAN: 400,
  HGW_CHAT_BAD_FRAME: 400,
  HGW_MAIL_MALFORMED: 400,
  HGW_STATION_BAD_REQUEST: 400,
  HGW_CHAT_TOO_LARGE: 413,
  HGW_MAIL_TOO_LARGE: 413,
  HGW_CHAT_FLOOD: 429,
  HGW_MAIL_FLOOD: 429,
  HGW_STATION_THROTTLED: 429,
  HGW_MAIL_SEND_FAILED: 502,
};

export function conversationStatus(code: GatewayErrorCode): number {
  return CONVERSATION_STATUS[code] ?? 500;
}

export function sendError(reply: FastifyReply, status: number, code: GatewayErrorCode, message: string, extra: object = {}): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ ...extra, code, message });
}

export function sendRefusal(reply: FastifyReply, result: { readonly code: GatewayErrorCode; readonly message: string }): FastifyReply {
  return sendError(reply, conversationStatus(result.code), result.code, result.message);
}

export function sendUnauthorized(reply: FastifyReply): FastifyReply {
  return sendError(reply, 401, 'HGW_STATION_UNAUTHORIZED', 'a valid station token is required');
}

/**
 * A volunteer's text: not blank, at most MAX_TEXT_LENGTH code units (ajv's maxLength counts code
 * points, which lets astral characters through twice over). Undefined when it may go to the desk.
 */
export function refuseText(text: string, tooLarge: GatewayErrorCode): { status: number; code: GatewayErrorCode; message: string } | undefined {
  if (text.trim().length === 0) return { status: 400, code: 'HGW_STATION_BAD_REQUEST', message: 'text must not be empty' };
  if (text.length > MAX_TEXT_LENGTH) return { status: 413, code: tooLarge, message: `text is longer than ${MAX_TEXT_LENGTH} characters` };
  return undefined;
}

/** `{ [key]: map(value) }` for a desk's success, its refusal under the mapped status otherwise. */
export function answerWith<T, J>(
  reply: FastifyReply,
  result: ConversationResult<T>,
  key: string,
  map: (value: T) => J,
): FastifyReply | Record<string, J> {
  if (!result.ok) return sendRefusal(reply, result);
  return { [key]: map(result.value) };
}

export function referenceOf(request: FastifyRequest<{ Params: { reference: string } }>): ContactReference {
  return request.params.reference as ContactReference;
}
