import type { Logger } from '../log/logger.js';
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
  readonly intervalMs?: number;
}

export interface SweepResult {
  readonly linkEpochsShredded: MonthEpoch[];
  readonly sealedEpochsShredded: MonthEpoch[];
  readonly contactsUnlinked: number;
  readonly sealsDestroyed: number;
}

/**
 * Ends linkability and the sealed copy of phone numbers when their month leaves the window: the
 * database columns are nulled first, then the month's key is destroyed (a crash in between leaves a
 * key that the next sweep destroys; the other order would leave ciphertext nobody can clear). Runs
 * at start, so a box that was off catches up, and then every interval.
 */
export class LinkageSweeper {
  readonly #options: LinkageSweeperOptions;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: LinkageSweeperOptions) {
    this.#options = options;
  }

  async start(): Promise<void> {
    this.sweep();
    this.#timer = setInterval(() => this.#sweepLogged(), this.#options.intervalMs ?? 15 * 60 * 1000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  sweep(): SweepResult {
    const { keyring, contacts, database, clock, timeZone, phoneLinkageMonths, phoneSealedMonths, logger } = this.#options;
    const current = monthEpochAt(clock.now(), timeZone);
    const oldestLinkable = shiftMonthEpoch(current, -(phoneLinkageMonths - 1));
    const oldestSealed = shiftMonthEpoch(current, -(phoneSealedMonths - 1));

    const contactsUnlinked = contacts.forgetLinkEpochsBefore(oldestLinkable);
    const sealsDestroyed = contacts.forgetSealedEpochsBefore(oldestSealed, 'phone');
    const linkEpochsShredded = keyring.linkEpochs().filter((epoch) => epoch < oldestLinkable);
    for (const epoch of linkEpochsShredded) keyring.shredLinkKey(epoch);
    const sealedEpochsShredded = keyring.vaultEpochs('phone-number').filter((epoch) => epoch < oldestSealed);
    for (const epoch of sealedEpochsShredded) keyring.shredVaultKey('phone-number', epoch);
    if (contactsUnlinked + sealsDestroyed > 0) database.checkpoint();

    const result = { linkEpochsShredded, sealedEpochsShredded, contactsUnlinked, sealsDestroyed };
    if (linkEpochsShredded.length + sealedEpochsShredded.length + contactsUnlinked + sealsDestroyed > 0) {
      logger.info(result, 'phone linkage window swept');
    }
    return result;
  }

  #sweepLogged(): void {
    try {
      this.sweep();
    } catch (error) {
      this.#options.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'linkage sweep failed; will retry');
    }
  }
}
