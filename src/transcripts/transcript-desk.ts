import type { Logger } from '../log/logger.js';
import type { Vault } from '../privacy/vault.js';
import type { ContactsRepository } from '../store/contacts-repository.js';
import type { GatewayDatabase } from '../store/open-database.js';
import { TrainingFragmentsRepository } from '../store/training-fragments-repository.js';
import type { TranscriptsRepository } from '../store/transcripts-repository.js';
import type { Clock } from '../time/clock.js';
import type { TranscriptAudit } from './transcript-audit.js';
import { TranscriptReader, type TranscriptPolicy } from './transcript-reader.js';
import type {
  ClosedChatSummary,
  FragmentDraftView,
  RevealedChatAddress,
  TrainingFragmentView,
  TranscriptActor,
  TranscriptFeatures,
  TranscriptResult,
  TranscriptView,
} from './transcript-types.js';
import { TrainingFragments, type FragmentToSave } from './training-fragments.js';

export interface TranscriptDeskOptions {
  readonly database: GatewayDatabase;
  readonly contacts: ContactsRepository;
  readonly transcripts: TranscriptsRepository;
  readonly vault: Vault;
  /** The AuditLog (once AUDIT_ACTIONS holds the five transcript actions). */
  readonly audit: TranscriptAudit;
  readonly clock: Clock;
  readonly timeZone: string;
  /** The site's policy (preset with its overrides). */
  readonly policy: TranscriptPolicy;
  readonly logger: Logger;
  /** How long a fragment draft waits for its review; 30 minutes when left out. */
  readonly draftTtlMs?: number;
}

/**
 * The coordinator's side of chat transcripts in one object, shaped for the coordinator routes
 * (CoordinatorTranscripts in src/stations/coordinator-transcript-routes.ts): the transcript reader,
 * the IP reveal and training fragments over one database.
 */
export class TranscriptDesk {
  readonly #reader: TranscriptReader;
  readonly #fragments: TrainingFragments;

  constructor(options: TranscriptDeskOptions) {
    const logger = options.logger.child({ component: 'transcripts' });
    this.#reader = new TranscriptReader({ ...options, logger });
    this.#fragments = new TrainingFragments({
      database: options.database,
      reader: this.#reader,
      repository: new TrainingFragmentsRepository(options.database),
      audit: options.audit,
      clock: options.clock,
      policy: options.policy,
      logger,
      ...(options.draftTtlMs === undefined ? {} : { draftTtlMs: options.draftTtlMs }),
    });
  }

  features(): TranscriptFeatures {
    return this.#reader.features();
  }

  listChats(actor: TranscriptActor): TranscriptResult<ClosedChatSummary[]> {
    return this.#reader.list(actor);
  }

  readChat(actor: TranscriptActor, reference: string): TranscriptResult<TranscriptView> {
    return this.#reader.read(actor, reference);
  }

  revealAddress(actor: TranscriptActor, reference: string): TranscriptResult<RevealedChatAddress> {
    return this.#reader.revealAddress(actor, reference);
  }

  draftFragment(actor: TranscriptActor, reference: string, lineIds: readonly number[]): TranscriptResult<FragmentDraftView> {
    return this.#fragments.draft(actor, reference, lineIds);
  }

  saveFragment(actor: TranscriptActor, draftId: string, fragment: FragmentToSave): TranscriptResult<TrainingFragmentView> {
    return this.#fragments.save(actor, draftId, fragment);
  }

  discardDraft(actor: TranscriptActor, draftId: string): TranscriptResult<{ readonly discarded: true }> {
    return this.#fragments.discard(actor, draftId);
  }

  listFragments(actor: TranscriptActor): TranscriptResult<TrainingFragmentView[]> {
    return this.#fragments.list(actor);
  }

  deleteFragment(actor: TranscriptActor, id: number): TranscriptResult<{ readonly deleted: true }> {
    return this.#fragments.delete(actor, id);
  }
}
