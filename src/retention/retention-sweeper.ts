import type { AuditLog } from '../audit/audit-log.js';
import type { PriorContactCounter } from '../contacts/prior-contact-counter.js';
import type { Logger } from '../log/logger.js';
import type { Keyring } from '../privacy/keyring.js';
import type { ContactsRepository, IdRange } from '../store/contacts-repository.js';
import type { GatewayDatabase } from '../store/open-database.js';
import type { TranscriptsRepository } from '../store/transcripts-repository.js';
import type { Clock } from '../time/clock.js';
import type { MonthEpoch } from '../time/month-epoch.js';
import { epochsDue, oldestLiveEpoch } from './retention-calendar.js';
import { keyFamilyOf, type RetentionDataClass, type RetentionKeyFamily, type RetentionRule } from './retention-rules.js';

/** The stored mails, sealed per month under the mail-content keys (src/store/mail-messages-repository.ts). */
export interface MailRowStore {
  deleteEpochsBefore(epoch: MonthEpoch, range: IdRange): number;
  maxId(): number;
}

/** Something else that keeps pseudonyms per link month (a caller's request): unlinked with them. */
export interface LinkedPseudonymStore {
  forgetLinkEpochsBefore(epoch: MonthEpoch): number;
}

export interface RetentionSweeperOptions {
  readonly keyring: Keyring;
  readonly contacts: ContactsRepository;
  readonly transcripts: TranscriptsRepository;
  /** Where mail is not configured there are no mails to sweep. */
  readonly mails?: MailRowStore;
  readonly database: GatewayDatabase;
  readonly clock: Clock;
  readonly timeZone: string;
  /** One declarative rule per data class: `retentionRules(policy)`. */
  readonly rules: readonly RetentionRule[];
  readonly logger: Logger;
  /** Where each sweep that changed anything leaves its counts and the months it shredded. */
  readonly audit?: AuditLog;
  /** The desk's in-memory prior-contact index: unlinked months leave it too. */
  readonly priorContacts?: PriorContactCounter;
  readonly linkedStores?: readonly LinkedPseudonymStore[];
  readonly intervalMs?: number;
  /** Row ids per transaction when walking a table. */
  readonly batchSize?: number;
}

/**
 * 1,000 ids per transaction: at 2,000,000 contacts a range of 20,000 held the loop for over a
 * second, 1,000 keeps the longest stall near 50 ms (docs/benchmarks.md, retention run).
 */
const DEFAULT_BATCH = 1_000;
/** While walking: smaller automatic checkpoints, each a shorter fsync between two calls. */
const SWEEP_AUTOCHECKPOINT_PAGES = 250;
const SQLITE_AUTOCHECKPOINT_PAGES = 1_000;

export interface ShreddedKey {
  readonly family: RetentionKeyFamily;
  readonly epoch: MonthEpoch;
}

/** What one sweep removed, as counts and month names: never an identifier. */
export interface SweepResult {
  readonly keysShredded: readonly ShreddedKey[];
  readonly contactsUnlinked: number;
  readonly phoneNumbersDestroyed: number;
  readonly chatAddressesDestroyed: number;
  readonly mailAddressesDestroyed: number;
  readonly transcriptLinesDeleted: number;
  readonly mailMessagesDeleted: number;
}

type RowCount = Exclude<keyof SweepResult, 'keysShredded'>;

const ROW_TABLES = ['contacts', 'transcripts', 'mails'] as const;
type RowTable = (typeof ROW_TABLES)[number];

/** The classes stored as rows keyed by month: which table, which count, how a range is cleared. */
interface RowWork {
  readonly dataClass: RetentionDataClass;
  readonly count: RowCount;
  readonly table: RowTable;
  clear(before: MonthEpoch, range: IdRange): number;
}

/**
 * The retention engine: applies one declarative rule per data class (retention-rules.ts) to the
 * store and the keyring. Rows of a due month are nulled or deleted first, in short id-range
 * transactions with a turn of the event loop between them, then the month's key is destroyed (a
 * key must outlive its ciphertext's row: a crash in between leaves a key the next sweep destroys,
 * the other order would leave ciphertext no sweep looks for). Each shred re-wraps the live keys
 * under a fresh key-encryption key. Runs at start, so a box that was off catches up, then every
 * interval.
 */
export class RetentionSweeper {
  readonly #options: RetentionSweeperOptions;
  readonly #rowWork: readonly RowWork[];
  #timer: NodeJS.Timeout | undefined;
  #walkedOnce = false;
  #inFlight: Promise<unknown> | undefined;
  #lastRun: { readonly at: number; readonly outcome: 'ok' | 'failed' } | undefined;

  constructor(options: RetentionSweeperOptions) {
    this.#options = options;
    const { contacts, transcripts, mails } = options;
    this.#rowWork = [
      { dataClass: 'phone-linkage', count: 'contactsUnlinked', table: 'contacts', clear: (before, range) => contacts.forgetLinkEpochsBefore(before, range) },
      { dataClass: 'phone-number', count: 'phoneNumbersDestroyed', table: 'contacts', clear: (before, range) => contacts.forgetSealedEpochsBefore(before, 'phone', range) },
      { dataClass: 'chat-ip', count: 'chatAddressesDestroyed', table: 'contacts', clear: (before, range) => contacts.forgetSealedEpochsBefore(before, 'chat', range) },
      { dataClass: 'mail', count: 'mailAddressesDestroyed', table: 'contacts', clear: (before, range) => contacts.forgetSealedEpochsBefore(before, 'mail', range) },
      { dataClass: 'chat-transcript', count: 'transcriptLinesDeleted', table: 'transcripts', clear: (before, range) => transcripts.deleteEpochsBefore(before, range) },
      ...(mails
        ? [{ dataClass: 'mail-content', count: 'mailMessagesDeleted', table: 'mails', clear: (before, range) => mails.deleteEpochsBefore(before, range) } satisfies RowWork]
        : []),
    ];
  }

  async start(): Promise<void> {
    await this.sweep();
    this.#timer = setInterval(() => void this.#sweepLogged(), this.#options.intervalMs ?? 15 * 60 * 1000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#inFlight;
  }

  /**
   * Walks the tables at the first sweep (a box that was off, or a keyring replaced, may have left
   * rows behind) and afterwards only when a month is due.
   */
  async sweep(): Promise<SweepResult> {
    const startedAt = this.#options.clock.now();
    try {
      const result = await this.#sweepOnce(startedAt);
      this.#lastRun = { at: startedAt, outcome: 'ok' };
      return result;
    } catch (error) {
      this.#lastRun = { at: startedAt, outcome: 'failed' };
      throw error;
    }
  }

  /** When the last sweep of this process started and whether it finished; for /health. */
  lastRun(): { readonly at: number; readonly outcome: 'ok' | 'failed' } | undefined {
    return this.#lastRun;
  }

  async #sweepOnce(now: number): Promise<SweepResult> {
    const { keyring, database, timeZone, rules, logger } = this.#options;
    const keysDue = rules.flatMap((rule) => {
      const family = keyFamilyOf(rule);
      if (family === undefined) return [];
      const live = family === 'link' ? keyring.linkEpochs() : keyring.vaultEpochs(family);
      return epochsDue(rule, now, timeZone, live).map((epoch): ShreddedKey => ({ family, epoch }));
    });
    const counts: Record<RowCount, number> = {
      contactsUnlinked: 0,
      phoneNumbersDestroyed: 0,
      chatAddressesDestroyed: 0,
      mailAddressesDestroyed: 0,
      transcriptLinesDeleted: 0,
      mailMessagesDeleted: 0,
    };
    const oldestKept = new Map<RetentionDataClass, MonthEpoch>();
    for (const rule of rules) {
      const oldest = oldestLiveEpoch(rule, now, timeZone);
      if (oldest !== undefined) oldestKept.set(rule.dataClass, oldest);
    }

    if (!this.#walkedOnce || keysDue.length > 0) {
      for (const table of ROW_TABLES) {
        const work = this.#rowWork.filter((entry) => entry.table === table && oldestKept.has(entry.dataClass));
        await this.#walk(table, work, oldestKept, counts);
      }
      this.#walkedOnce = true;
    }

    const oldestLinked = oldestKept.get('phone-linkage');
    if (oldestLinked !== undefined) {
      this.#options.priorContacts?.forgetEpochsBefore(oldestLinked);
      for (const store of this.#options.linkedStores ?? []) store.forgetLinkEpochsBefore(oldestLinked);
    }
    // The ranges were committed without their own fsync: the checkpoint makes them durable before
    // any key goes, so a power cut can never leave rows whose key is already destroyed.
    const rowsChanged = Object.values(counts).some((count) => count > 0);
    if (rowsChanged || keysDue.length > 0) {
      database.checkpoint();
      await nextTurn();
    }
    for (const { family, epoch } of keysDue) {
      if (family === 'link') keyring.shredLinkKey(epoch);
      else keyring.shredVaultKey(family, epoch);
      await nextTurn();
    }

    const result: SweepResult = { keysShredded: keysDue, ...counts };
    if (rowsChanged || keysDue.length > 0) {
      logger.info({ ...counts, keysShredded: keysDue.map(({ family, epoch }) => `${family}/${epoch}`) }, 'retention swept');
      this.#recordInAudit(result);
    }
    return result;
  }

  async #walk(table: RowTable, work: readonly RowWork[], oldestKept: ReadonlyMap<RetentionDataClass, MonthEpoch>, counts: Record<RowCount, number>): Promise<void> {
    if (work.length === 0) return;
    const { contacts, transcripts, mails, database } = this.#options;
    const batch = this.#options.batchSize ?? DEFAULT_BATCH;
    const upTo = table === 'contacts' ? contacts.maxId() : table === 'transcripts' ? transcripts.maxId() : (mails?.maxId() ?? 0);
    database.setAutocheckpointPages(SWEEP_AUTOCHECKPOINT_PAGES);
    try {
      for (let after = 0; after < upTo; after += batch) {
        const range = { after, upTo: Math.min(after + batch, upTo) };
        // A range's fsync waited on a store half rewritten by the sweep (30-165 ms on an SD card):
        // ranges commit without one and the checkpoint before the shreds makes them durable.
        database.bulkTransaction(() => {
          for (const entry of work) {
            const before = oldestKept.get(entry.dataClass);
            if (before !== undefined) counts[entry.count] += entry.clear(before, range);
          }
        });
        await nextTurn();
      }
    } finally {
      database.setAutocheckpointPages(SQLITE_AUTOCHECKPOINT_PAGES);
    }
  }

  /** Counts and month names only: the audit log never holds an identifier. */
  #recordInAudit(result: SweepResult): void {
    const audit = this.#options.audit;
    if (!audit) return;
    this.#options.database.transaction(() => {
      for (const { family, epoch } of result.keysShredded) {
        audit.append({ actorRole: 'system', actorId: 'retention', action: 'key.shredded', details: { family, month: epoch } });
      }
      audit.append({
        actorRole: 'system',
        actorId: 'retention',
        action: 'retention.run',
        details: {
          contactsUnlinked: result.contactsUnlinked,
          sealedNumbersDestroyed: result.phoneNumbersDestroyed,
          sealedChatAddressesDestroyed: result.chatAddressesDestroyed,
          sealedMailAddressesDestroyed: result.mailAddressesDestroyed,
          transcriptLinesDeleted: result.transcriptLinesDeleted,
          mailMessagesDeleted: result.mailMessagesDeleted,
          keysShredded: result.keysShredded.length,
        },
      });
    });
  }

  async #sweepLogged(): Promise<void> {
    if (this.#inFlight) return;
    this.#inFlight = this.sweep();
    try {
      await this.#inFlight;
    } catch (error) {
      this.#options.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'retention sweep failed; will retry');
    } finally {
      this.#inFlight = undefined;
    }
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
