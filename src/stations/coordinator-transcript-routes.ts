import type { FastifyInstance, FastifyReply } from 'fastify';
import { isContactReference } from '../contacts/contact-reference.js';
import type {
  ClosedChatSummary,
  FragmentDraftView,
  RevealedChatAddress,
  TrainingFragmentView,
  TranscriptActor,
  TranscriptFeatures,
  TranscriptLineView,
  TranscriptRefusal,
  TranscriptResult,
  TranscriptView,
} from '../transcripts/transcript-types.js';
import type { CoordinatorBackend } from './coordinator-backend.js';
import { COORDINATOR_CODES, sendCoordinatorError, type SessionGuard } from './coordinator-http.js';

/**
 * Satisfied by TranscriptDesk (src/transcripts), which checks the role and the preset again and
 * audits every read, reveal, draft, save and delete itself; the routes add no entries of their own.
 */
export interface CoordinatorTranscripts {
  features(): TranscriptFeatures;
  listChats(actor: TranscriptActor): TranscriptResult<readonly ClosedChatSummary[]>;
  readChat(actor: TranscriptActor, reference: string): TranscriptResult<TranscriptView>;
  revealAddress(actor: TranscriptActor, reference: string): TranscriptResult<RevealedChatAddress>;
  draftFragment(actor: TranscriptActor, reference: string, lineIds: readonly number[]): TranscriptResult<FragmentDraftView>;
  saveFragment(actor: TranscriptActor, draftId: string, fragment: { readonly title: string; readonly text: string }): TranscriptResult<TrainingFragmentView>;
  discardDraft(actor: TranscriptActor, draftId: string): TranscriptResult<unknown>;
  listFragments(actor: TranscriptActor): TranscriptResult<readonly TrainingFragmentView[]>;
  deleteFragment(actor: TranscriptActor, id: number): TranscriptResult<unknown>;
}

type Refusal = Extract<TranscriptResult<unknown>, { ok: false }>;

const REFUSAL_STATUS: Readonly<Record<TranscriptRefusal, number>> = {
  forbidden: 403,
  'unknown-chat': 404,
  'chat-open': 409,
  'outside-retention': 410,
  'no-address': 404,
  'bad-lines': 400,
  'unknown-draft': 404,
  'unknown-fragment': 404,
  'invalid-title': 400,
  'invalid-text': 400,
  'holds-pii': 400,
};

const REFERENCE_PARAM = {
  type: 'object',
  required: ['reference'],
  properties: { reference: { type: 'string', minLength: 1, maxLength: 16 } },
} as const;

const DRAFT_PARAM = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9a-f]{32}$' } } } as const;
const FRAGMENT_PARAM = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } } } as const;

const DRAFT_SCHEMA = {
  params: REFERENCE_PARAM,
  body: {
    type: 'object',
    required: ['lineIds'],
    additionalProperties: false,
    properties: { lineIds: { type: 'array', minItems: 1, maxItems: 200, items: { type: 'integer', minimum: 1 } } },
  },
} as const;

const SAVE_SCHEMA = {
  params: DRAFT_PARAM,
  body: {
    type: 'object',
    required: ['title', 'text'],
    additionalProperties: false,
    properties: { title: { type: 'string', maxLength: 400 }, text: { type: 'string', maxLength: 40_000 } },
  },
} as const;

/** The refusal as JSON: its code, message and reason, and for 'holds-pii' the kinds of detail found. */
function sendRefusal(reply: FastifyReply, refusal: Refusal): FastifyReply {
  const status = REFUSAL_STATUS[refusal.refusal] ?? 409;
  if (refusal.found === undefined) return sendCoordinatorError(reply, status, refusal.code, refusal.message, refusal.refusal);
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send({ code: refusal.code, message: refusal.message, reason: refusal.refusal, found: [...refusal.found] });
}

/**
 * Closed chats' transcripts, the chat's IP address after the chat (BE) and training fragments (BE)
 * for the coordinator page (P6, P8, P9). Behind the session guard with `transcripts.read`; the
 * address answer is the only response that holds an identifier, and it is never logged.
 */
export function addTranscriptRoutes(app: FastifyInstance, backend: CoordinatorBackend, guard: SessionGuard): void {
  const onRequest = guard.hook('transcripts.read');
  const transcripts = backend.transcripts;
  const absent = (reply: FastifyReply): FastifyReply => sendCoordinatorError(reply, 404, COORDINATOR_CODES.notFound, 'chat transcripts are not enabled on this box');
  /** References are read aloud and typed: "k7q-3f9 " is K7Q-3F9. */
  const referenceOf = (text: string): string | undefined => {
    const reference = text.trim().toUpperCase();
    return isContactReference(reference) ? reference : undefined;
  };
  const badReference = (reply: FastifyReply): FastifyReply => sendCoordinatorError(reply, 400, COORDINATOR_CODES.badRequest, 'a contact reference looks like K7Q-3F9');

  app.get('/api/v1/transcripts', { onRequest }, async (request, reply) => {
    if (!transcripts) return absent(reply);
    const listed = transcripts.listChats(guard.actorOf(request));
    if (!listed.ok) return sendRefusal(reply, listed);
    const features = transcripts.features();
    return {
      features: { chatIpVisible: features.chatIpVisible, trainingFragments: features.trainingFragments, retentionMonths: features.retentionMonths },
      chats: listed.value.map(chatJson),
    };
  });

  app.get<{ Params: { reference: string } }>('/api/v1/transcripts/:reference', { onRequest, schema: { params: REFERENCE_PARAM } }, async (request, reply) => {
    if (!transcripts) return absent(reply);
    const reference = referenceOf(request.params.reference);
    if (reference === undefined) return badReference(reply);
    const read = transcripts.readChat(guard.actorOf(request), reference);
    if (!read.ok) return sendRefusal(reply, read);
    return { chat: chatJson(read.value.chat), addressAvailable: read.value.addressAvailable, lines: read.value.lines.map(lineJson) };
  });

  app.post<{ Params: { reference: string } }>('/api/v1/transcripts/:reference/address', { onRequest, schema: { params: REFERENCE_PARAM } }, async (request, reply) => {
    if (!transcripts) return absent(reply);
    const reference = referenceOf(request.params.reference);
    if (reference === undefined) return badReference(reply);
    const revealed = transcripts.revealAddress(guard.actorOf(request), reference);
    if (!revealed.ok) return sendRefusal(reply, revealed);
    // Shown once, to this coordinator; cache-control: no-store is on every response.
    return { reference: revealed.value.reference, address: revealed.value.address };
  });

  app.post<{ Params: { reference: string }; Body: { lineIds: number[] } }>(
    '/api/v1/transcripts/:reference/fragment-drafts',
    { onRequest, schema: DRAFT_SCHEMA },
    async (request, reply) => {
      if (!transcripts) return absent(reply);
      const reference = referenceOf(request.params.reference);
      if (reference === undefined) return badReference(reply);
      const drafted = transcripts.draftFragment(guard.actorOf(request), reference, request.body.lineIds);
      if (!drafted.ok) return sendRefusal(reply, drafted);
      const { draftId, text, expiresAt, replaced } = drafted.value;
      return reply.code(201).send({
        draft: { id: draftId, text, expiresAt, replaced: { names: replaced.names, places: replaced.places, dates: replaced.dates, ages: replaced.ages, removed: replaced.removed } },
      });
    },
  );

  app.post<{ Params: { id: string }; Body: { title: string; text: string } }>('/api/v1/fragment-drafts/:id/save', { onRequest, schema: SAVE_SCHEMA }, async (request, reply) => {
    if (!transcripts) return absent(reply);
    const saved = transcripts.saveFragment(guard.actorOf(request), request.params.id, { title: request.body.title, text: request.body.text });
    if (!saved.ok) return sendRefusal(reply, saved);
    return reply.code(201).send({ fragment: fragmentJson(saved.value) });
  });

  app.delete<{ Params: { id: string } }>('/api/v1/fragment-drafts/:id', { onRequest, schema: { params: DRAFT_PARAM } }, async (request, reply) => {
    if (!transcripts) return absent(reply);
    const discarded = transcripts.discardDraft(guard.actorOf(request), request.params.id);
    if (!discarded.ok) return sendRefusal(reply, discarded);
    return reply.code(204).send();
  });

  app.get('/api/v1/fragments', { onRequest }, async (request, reply) => {
    if (!transcripts) return absent(reply);
    const listed = transcripts.listFragments(guard.actorOf(request));
    if (!listed.ok) return sendRefusal(reply, listed);
    return { fragments: listed.value.map(fragmentJson) };
  });

  app.delete<{ Params: { id: string } }>('/api/v1/fragments/:id', { onRequest, schema: { params: FRAGMENT_PARAM } }, async (request, reply) => {
    if (!transcripts) return absent(reply);
    const deleted = transcripts.deleteFragment(guard.actorOf(request), Number(request.params.id));
    if (!deleted.ok) return sendRefusal(reply, deleted);
    return reply.code(204).send();
  });
}

/** Field-by-field copies, as coordinator-json.ts does: whatever else an object holds stays off the wire. */
function chatJson(chat: ClosedChatSummary): ClosedChatSummary {
  return { reference: chat.reference, openedAt: chat.openedAt, endedAt: chat.endedAt, lineCount: chat.lineCount };
}

function lineJson(line: TranscriptLineView): TranscriptLineView {
  return { id: line.id, author: line.author, at: line.at, text: line.text, redacted: line.redacted, state: line.state };
}

function fragmentJson(fragment: TrainingFragmentView): TrainingFragmentView {
  return { id: fragment.id, title: fragment.title, text: fragment.text, savedBy: fragment.savedBy, savedAt: fragment.savedAt };
}
