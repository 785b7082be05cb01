import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ContactReference } from '../contacts/contact-view.js';
import type { MailMessageView, StationMailBackend } from '../contacts/conversation-view.js';
import {
  answerWith,
  REFERENCE_PARAMS,
  referenceOf,
  refuseText,
  sendError,
  sendRefusal,
  sendUnauthorized,
  TEXT_BODY,
  TEXT_BODY_LIMIT,
  type StationOf,
} from './station-conversation-http.js';
import { toMailMessageJson, toMailThreadJson } from './station-json.js';

type ReferenceRequest = { Params: { reference: string } };

const SEND_FAILED_MESSAGE = 'the answer is stored but the mail relay did not take it; send it again later';

/** The answer the relay refused: the newest outgoing message that is not delivered. */
function storedUndelivered(mail: StationMailBackend, reference: ContactReference, stationId: string): MailMessageView | undefined {
  const messages = mail.messages(reference, stationId);
  if (!messages.ok) return undefined;
  return messages.value.filter((message) => message.direction === 'out' && !message.delivered).at(-1);
}

function sendFailed(reply: FastifyReply, message: string, stored: MailMessageView | undefined): FastifyReply {
  return sendError(reply, 502, 'HGW_MAIL_SEND_FAILED', message, stored === undefined ? {} : { mail: toMailMessageJson(stored) });
}

/**
 * The mail panel's routes, behind the station token. An answer the relay refuses is still stored
 * by the desk: the 502 carries it as `mail` so the page can show it as not sent and offer a retry.
 */
export function addStationMailRoutes(api: FastifyInstance, mail: StationMailBackend, stationOf: StationOf): void {
  api.get('/api/v1/mails', async (request, reply) => {
    if (stationOf(request) === undefined) return sendUnauthorized(reply);
    return { threads: mail.threads().map(toMailThreadJson) };
  });

  api.get<ReferenceRequest>('/api/v1/mails/:reference/messages', { schema: { params: REFERENCE_PARAMS } }, async (request, reply) => {
    const stationId = stationOf(request);
    if (stationId === undefined) return sendUnauthorized(reply);
    return answerWith(reply, mail.messages(referenceOf(request), stationId), 'messages', (messages) => messages.map(toMailMessageJson));
  });

  api.post<ReferenceRequest>('/api/v1/mails/:reference/open', { schema: { params: REFERENCE_PARAMS } }, async (request, reply) => {
    const stationId = stationOf(request);
    if (stationId === undefined) return sendUnauthorized(reply);
    return answerWith(reply, mail.open(referenceOf(request), stationId), 'thread', toMailThreadJson);
  });

  api.post<ReferenceRequest & { Body: { text: string } }>(
    '/api/v1/mails/:reference/answer',
    { schema: { params: REFERENCE_PARAMS, body: TEXT_BODY }, bodyLimit: TEXT_BODY_LIMIT },
    async (request, reply) => {
      const stationId = stationOf(request);
      if (stationId === undefined) return sendUnauthorized(reply);
      const refusal = refuseText(request.body.text, 'HGW_MAIL_TOO_LARGE');
      if (refusal) return sendError(reply, refusal.status, refusal.code, refusal.message);
      const reference = referenceOf(request);
      const result = await mail.answer(reference, stationId, request.body.text);
      // The contract allows both ways of saying "stored, not sent": a refusal, or a message not delivered.
      if (result.ok && !result.value.delivered) return sendFailed(reply, SEND_FAILED_MESSAGE, result.value);
      if (!result.ok && result.code === 'HGW_MAIL_SEND_FAILED') return sendFailed(reply, result.message, storedUndelivered(mail, reference, stationId));
      if (!result.ok) return sendRefusal(reply, result);
      return { mail: toMailMessageJson(result.value) };
    },
  );

  api.post<ReferenceRequest>('/api/v1/mails/:reference/resend', { schema: { params: REFERENCE_PARAMS } }, async (request, reply) => {
    const stationId = stationOf(request);
    if (stationId === undefined) return sendUnauthorized(reply);
    const result = await mail.resend(referenceOf(request), stationId);
    return answerWith(reply, result, 'messages', (messages) => messages.map(toMailMessageJson));
  });

  api.post<ReferenceRequest>('/api/v1/mails/:reference/close', { schema: { params: REFERENCE_PARAMS } }, async (request, reply) => {
    const stationId = stationOf(request);
    if (stationId === undefined) return sendUnauthorized(reply);
    return answerWith(reply, mail.close(referenceOf(request), stationId), 'thread', toMailThreadJson);
  });
}
