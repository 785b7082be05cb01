import { randomBytes } from 'node:crypto';
import { checkAccountId } from '../accounts/account-policy.js';
import { accountActorId } from '../audit/audit-entry.js';
import type { Logger } from '../log/logger.js';
import { looksLikeIdentifier } from '../log/scrub.js';
import { detectPii, type PiiType } from '../pii/index.js';
import type { GatewayDatabase } from '../store/open-database.js';
import type { TrainingFragmentRow, TrainingFragmentsRepository } from '../store/training-fragments-repository.js';
import type { Clock } from '../time/clock.js';
import { refused, type Refused } from './refusals.js';
import { deidentifyLines } from './stand-ins.js';
import type { TranscriptAudit, TranscriptAuditAction } from './transcript-audit.js';
import type { TranscriptPolicy, TranscriptReader } from './transcript-reader.js';
import type { FragmentDraftView, StandInCounts, TrainingFragmentView, TranscriptActor, TranscriptResult } from './transcript-types.js';

export interface TrainingFragmentsOptions {
  readonly database: GatewayDatabase;
  readonly reader: TranscriptReader;
  readonly repository: TrainingFragmentsRepository;
  readonly audit: TranscriptAudit;
  readonly clock: Clock;
  readonly policy: TranscriptPolicy;
  readonly logger: Logger;
  /** How long a draft waits for its review; 30 minutes when left out. */
  readonly draftTtlMs?: number;
  /** Drafts held at once; the oldest goes first. 32 when left out. */
  readonly maxDrafts?: number;
}

export interface FragmentToSave {
  readonly title: string;
  readonly text: string;
}

interface HeldDraft {
  readonly accountId: string;
  readonly text: string;
  readonly replaced: StandInCounts;
  readonly expiresAt: number;
}

export const DEFAULT_DRAFT_TTL_MS = 30 * 60 * 1000;
const DEFAULT_MAX_DRAFTS = 32;
export const MAX_FRAGMENT_TITLE_LENGTH = 120;
export const MAX_FRAGMENT_TEXT_LENGTH = 20_000;
/** Details with a shape of their own, which no amount of context makes harmless: a save that holds one is refused. */
export const REFUSED_AT_SAVE: readonly PiiType[] = ['PHONE', 'EMAIL', 'URL', 'IP', 'IBAN', 'BSN', 'RRN'];

/**
 * Training fragments (BE, P9). A coordinator picks lines of a closed chat; the draft replaces
 * names, places, dates and ages with stand-ins and removes other details (stand-ins.ts). The draft
 * lives in memory only, for the coordinator who made it, until it is saved, discarded or expires.
 * Saving checks the reviewed text once more and refuses it while a phone number, e-mail or IP
 * address, URL, IBAN, BSN or RRN remains. A saved fragment keeps no link to its chat: not in its
 * row, not in its audit entry. Every draft, save and delete is audited, without content.
 */
export class TrainingFragments {
  readonly #options: TrainingFragmentsOptions;
  readonly #drafts = new Map<string, HeldDraft>();
  readonly #ttlMs: number;
  readonly #maxDrafts: number;

  constructor(options: TrainingFragmentsOptions) {
    const ttl = options.draftTtlMs ?? DEFAULT_DRAFT_TTL_MS;
    const max = options.maxDrafts ?? DEFAULT_MAX_DRAFTS;
    if (!Number.isFinite(ttl) || ttl <= 0) throw new TypeError('TrainingFragments draftTtlMs must be a positive number of milliseconds');
    if (!Number.isInteger(max) || max < 1) throw new TypeError('TrainingFragments maxDrafts must be a whole number of at least 1');
    this.#options = options;
    this.#ttlMs = ttl;
    this.#maxDrafts = max;
  }

  /** A de-identified draft of the picked lines; audited as `fragment.drafted` (the chat, the line count). */
  draft(actor: TranscriptActor, reference: string, lineIds: readonly number[]): TranscriptResult<FragmentDraftView> {
    const forbidden = this.#forbidden(actor);
    if (forbidden) return forbidden;
    const { database, reader, clock, logger } = this.#options;
    const drafted = database.transaction((): TranscriptResult<{ text: string; replaced: StandInCounts }> => {
      const picked = reader.pickLines(actor, reference, lineIds);
      if (!picked.ok) return picked;
      const draft = deidentifyLines(picked.value);
      this.#audit(actor, 'fragment.drafted', reference, { lines: picked.value.length });
      return { ok: true, value: draft };
    });
    if (!drafted.ok) return drafted;
    const now = clock.now();
    this.#forgetExpired(now);
    while (this.#drafts.size >= this.#maxDrafts) {
      const oldest = this.#drafts.keys().next().value;
      if (oldest === undefined) break;
      this.#drafts.delete(oldest);
    }
    const draftId = randomBytes(16).toString('hex');
    const held: HeldDraft = { accountId: checkAccountId(actor.accountId), text: drafted.value.text, replaced: drafted.value.replaced, expiresAt: now + this.#ttlMs };
    this.#drafts.set(draftId, held);
    logger.info({ reference, replaced: drafted.value.replaced }, 'training fragment drafted');
    return { ok: true, value: { draftId, text: held.text, expiresAt: held.expiresAt, replaced: held.replaced } };
  }

  /** The reviewed text of a held draft, stored under a title; audited as `fragment.saved`. */
  save(actor: TranscriptActor, draftId: string, fragment: FragmentToSave): TranscriptResult<TrainingFragmentView> {
    const forbidden = this.#forbidden(actor);
    if (forbidden) return forbidden;
    const found = this.#heldDraft(actor, draftId);
    if (!found.ok) return found;
    const title = typeof fragment?.title === 'string' ? fragment.title.replace(/\s+/gu, ' ').trim() : '';
    if (title.length === 0 || title.length > MAX_FRAGMENT_TITLE_LENGTH) return refused('invalid-title', `a title of 1 to ${MAX_FRAGMENT_TITLE_LENGTH} characters`);
    const text = typeof fragment?.text === 'string' ? fragment.text.replace(/\r\n?/gu, '\n').trim() : '';
    if (text.length === 0 || text.length > MAX_FRAGMENT_TEXT_LENGTH) return refused('invalid-text', `a text of 1 to ${MAX_FRAGMENT_TEXT_LENGTH} characters`);
    const remaining = [...new Set([...structuredDetails(title), ...structuredDetails(text)])];
    if (remaining.length > 0 || looksLikeIdentifier(title)) {
      return refused('holds-pii', `the fragment still holds ${remaining.length > 0 ? remaining.join(', ') : 'an identifier in its title'}: remove it and save again`, {
        found: remaining.length > 0 ? remaining : ['IDENTIFIER'],
      });
    }
    const { database, repository, clock, logger } = this.#options;
    const row = database.transaction(() => {
      const savedBy = checkAccountId(actor.accountId);
      const id = repository.insert({ title, text, savedBy, savedAt: clock.now() });
      this.#audit(actor, 'fragment.saved', fragmentTarget(id), { length: text.length, lines: text.split('\n').length });
      return repository.findById(id);
    });
    if (!row) throw new Error('a saved training fragment could not be read back');
    this.#drafts.delete(draftId);
    logger.info({ fragment: row.id }, 'training fragment saved');
    return { ok: true, value: viewOf(row) };
  }

  /** Drops a held draft; nothing was stored, so nothing is audited. */
  discard(actor: TranscriptActor, draftId: string): TranscriptResult<{ readonly discarded: true }> {
    const forbidden = this.#forbidden(actor);
    if (forbidden) return forbidden;
    const found = this.#heldDraft(actor, draftId);
    if (!found.ok) return found;
    this.#drafts.delete(draftId);
    return { ok: true, value: { discarded: true } };
  }

  list(actor: TranscriptActor): TranscriptResult<TrainingFragmentView[]> {
    const forbidden = this.#forbidden(actor);
    if (forbidden) return forbidden;
    return { ok: true, value: this.#options.repository.list().map(viewOf) };
  }

  /** Deletes a saved fragment; audited as `fragment.deleted`. */
  delete(actor: TranscriptActor, id: number): TranscriptResult<{ readonly deleted: true }> {
    const forbidden = this.#forbidden(actor);
    if (forbidden) return forbidden;
    const { database, repository, logger } = this.#options;
    const deleted = database.transaction(() => {
      if (!Number.isSafeInteger(id) || id <= 0 || !repository.delete(id)) return false;
      this.#audit(actor, 'fragment.deleted', fragmentTarget(id), {});
      return true;
    });
    if (!deleted) return refused('unknown-fragment', 'no training fragment with this id');
    // secure_delete zeroes the row's page; the checkpoint takes the old page out of the -wal file.
    database.checkpoint();
    logger.info({ fragment: id }, 'training fragment deleted');
    return { ok: true, value: { deleted: true } };
  }

  /** Drafts held now (for tests and health: a count, never their text). */
  heldDrafts(): number {
    this.#forgetExpired(this.#options.clock.now());
    return this.#drafts.size;
  }

  #heldDraft(actor: TranscriptActor, draftId: string): TranscriptResult<HeldDraft> {
    this.#forgetExpired(this.#options.clock.now());
    const held = typeof draftId === 'string' ? this.#drafts.get(draftId) : undefined;
    // Another coordinator's draft is as unknown as an expired one: drafts are not shared.
    if (!held || held.accountId !== checkAccountId(actor.accountId)) return refused('unknown-draft', 'no such draft: it was saved, discarded or has expired');
    return { ok: true, value: held };
  }

  #forgetExpired(now: number): void {
    for (const [id, draft] of this.#drafts) if (draft.expiresAt <= now) this.#drafts.delete(id);
  }

  #forbidden(actor: TranscriptActor): Refused | undefined {
    if (!this.#options.reader.allowed(actor)) return refused('forbidden', 'only coordinators make training fragments', { code: 'HGW_FRAGMENT_FORBIDDEN' });
    if (!this.#options.policy.trainingFragments) return refused('forbidden', "this site's privacy statement makes no training fragments", { code: 'HGW_FRAGMENT_FORBIDDEN' });
    return undefined;
  }

  #audit(actor: TranscriptActor, action: TranscriptAuditAction, target: string, details: Readonly<Record<string, number>>): void {
    this.#options.audit.append({ actorRole: actor.role, actorId: accountActorId(checkAccountId(actor.accountId)), action, target, details });
  }
}

function structuredDetails(text: string): PiiType[] {
  return detectPii(text)
    .map((span) => span.type)
    .filter((type) => REFUSED_AT_SAVE.includes(type));
}

function fragmentTarget(id: number): string {
  return `fragment-${id}`;
}

function viewOf(row: TrainingFragmentRow): TrainingFragmentView {
  return { id: row.id, title: row.title, text: row.text, savedBy: row.savedBy, savedAt: row.savedAt };
}
