import type { Logger } from '../log/logger.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { PriorContactCounter } from '../contacts/prior-contact-counter.js';
import type { Keyring } from '../privacy/keyring.js';
import type { ContactsRepository } from '../store/contacts-repository.js';
import type { GatewayDatabase } from '../store/open-database.js';
import type { Clock } from '../time/clock.js';
import { monthEpochAt, shiftMonthEpoch, type MonthEpoch } from '../time/month-epoch.js';

export interface LinkageSweeperOptions {
  readonly keyring: Keyring;
  readonly contacts: ContactsRepository;
  readonly database: GatewayDatabase;
  readonly clock: Clock;
  readonly timeZone: string;
  readonly phoneLinkageMonths: number;
  readonly phoneSealedMonths: number;
  readonly logger: Logger;
  /** Where each sweep that changed anything leaves its counts and the months it shredded. */
  readonly audit?: AuditLog;
  /** The desk's in-memory prior-contact index: unlinked months leave it too. */
  readonly priorContacts?: PriorContactCounter;
  readonly intervalMs?: number;
  /** Contact ids per transaction when walking the table. */
  readonly batchSize?: number;
}

const DEFAULT_BATCH = 20_000;

export interface SweepResult {
  readonly linkEpochsShredded: MonthEpoch[];
  readonly sealedEpochsShredded: MonthEpoch[];
  readonly contactsUnlinked: number;
  readonly sealsDestroyed: number;
}

/**
 * Ends linkability and the sealed copy of phone numbers when their month leaves the window: the
 * database columns are nulled first, then the month's key is destroyed. Runs at start, so a box
 * that was off catches up, and then every interval.
 */
export class LinkageSweeper {
  readonly #options: LinkageSweeperOptions;
  #timer: NodeJS.Timeout | undefined;
  #walkedOnce = false;
  #inFlight: Promise<unknown> | undefined;

  constructor(options: LinkageSweeperOptions) {
    this.#options = options;
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
   * Walks the whole table at the first sweep (a box that was off, or a keyring replaced, may have
   * left rows behind) and afterwards only when a month is due. Each id range is its own short
   * transaction, and the event loop gets a turn between ranges, so calls keep flowing.
   */
  async sweep(): Promise<SweepResult> {
    const { keyring, contacts, database, clock, timeZone, phoneLinkageMonths, phoneSealedMonths, logger } = this.#options;
    const current = monthEpochAt(clock.now(), timeZone);
    const oldestLinkable = shiftMonthEpoch(current, -(phoneLinkageMonths - 1));
    const oldestSealed = shiftMonthEpoch(current, -(phoneSealedMonths - 1));
    const linkEpochsShredded = keyring.linkEpochs().filter((epoch) => epoch < oldestLinkable);
    const sealedEpochsShredded = keyring.vaultEpochs('phone-number').filter((epoch) => epoch < oldestSealed);

    let contactsUnlinked = 0;
    let sealsDestroyed = 0;
    if (!this.#walkedOnce || linkEpochsShredded.length + sealedEpochsShredded.length > 0) {
      const batch = this.#options.batchSize ?? DEFAULT_BATCH;
      const upTo = contacts.maxId();
      for (let after = 0; after < upTo; after += batch) {
        const range = { after, upTo: Math.min(after + batch, upTo) };
        database.transaction(() => {
          contactsUnlinked += contacts.forgetLinkEpochsBefore(oldestLinkable, range);
          sealsDestroyed += contacts.forgetSealedEpochsBefore(oldestSealed, 'phone', range);
        });
        await nextTurn();
      }
      this.#walkedOnce = true;
    }
    // Keys go only after their rows are nulled: a crash in between leaves a key the next sweep
    // destroys; the other order would leave ciphertext that no sweep would look for.
    this.#options.priorContacts?.forgetEpochsBefore(oldestLinkable);
    // Each shred rewraps and fsyncs the keyring: the event loop gets a turn between them.
    for (const epoch of linkEpochsShredded) {
      keyring.shredLinkKey(epoch);
      await nextTurn();
    }
    for (const epoch of sealedEpochsShredded) {
      keyring.shredVaultKey('phone-number', epoch);
      await nextTurn();
    }
    if (contactsUnlinked + sealsDestroyed > 0) {
      database.checkpoint();
      await nextTurn();
    }

    const result = { linkEpochsShredded, sealedEpochsShredded, contactsUnlinked, sealsDestroyed };
    if (linkEpochsShredded.length + sealedEpochsShredded.length + contactsUnlinked + sealsDestroyed > 0) {
      logger.info(result, 'phone linkage window swept');
      this.#recordInAudit(result);
    }
    return result;
  }

  /** Counts and month names only: the audit log never holds an identifier. */
  #recordInAudit(result: SweepResult): void {
    const audit = this.#options.audit;
    if (!audit) return;
    this.#options.database.transaction(() => {
      for (const epoch of result.linkEpochsShredded) {
        audit.append({ actorRole: 'system', actorId: 'retention', action: 'key.shredded', details: { family: 'link', month: epoch } });
      }
      for (const epoch of result.sealedEpochsShredded) {
        audit.append({ actorRole: 'system', actorId: 'retention', action: 'key.shredded', details: { family: 'phone-number', month: epoch } });
      }
      audit.append({
        actorRole: 'system',
        actorId: 'retention',
        action: 'retention.run',
        details: {
          contactsUnlinked: result.contactsUnlinked,
          sealedNumbersDestroyed: result.sealsDestroyed,
          linkKeysShredded: result.linkEpochsShredded.length,
          sealKeysShredded: result.sealedEpochsShredded.length,
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
      this.#options.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'linkage sweep failed; will retry');
    } finally {
      this.#inFlight = undefined;
    }
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
