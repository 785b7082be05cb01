import type { AuditLog } from '../audit/audit-log.js';
import type { AuditHead } from '../audit/audit-verify.js';
import { describeError } from '../events/typed-emitter.js';
import type { Logger } from '../log/logger.js';
import type { GatewayDatabase } from '../store/open-database.js';
import type { IncidentRaiser } from './incident-register.js';
import { RepeatingCheck } from './repeating-check.js';

export interface IntegrityWatchOptions {
  /**
   * Its `quickCheck()` answers 'ok' or SQLite's list of problems. The gateway leaves it out: the
   * store runs quick_check at every open and refuses a damaged file, and a quick_check while calls
   * come in holds the event loop for seconds on a large store (8.6 s at 1,000,000 contacts).
   */
  readonly database?: Pick<GatewayDatabase, 'quickCheck'>;
  readonly audit: Pick<AuditLog, 'verify'>;
  readonly incidents: IncidentRaiser;
  readonly logger: Logger;
  /** Time between checks after the one at start; a day unless a test says otherwise. */
  readonly intervalMs?: number;
}

/** What one run found; `failures` is empty when both checks passed. */
export interface IntegrityCheckResult {
  readonly failures: readonly string[];
  /** True when this run handed an incident to the register (which folds it into one from the last hour). */
  readonly raised: boolean;
}

const DAY = 24 * 60 * 60 * 1000;

/**
 * Runs SQLite's quick_check and the audit log's hash-chain verification at start and then daily,
 * and raises an 'integrity-failure' incident (high) when either fails. The summary names the check
 * and, for the audit log, the first broken entry's seq and why: never any content.
 *
 * The head of each clean verification is kept and used as the anchor of the next, so a history
 * rewritten with every hash recomputed, or a removed tail, is caught between two runs too. The same
 * failure found again on the next run raises nothing new; a different one does.
 */
export class IntegrityWatch {
  readonly #options: IntegrityWatchOptions;
  readonly #logger: Logger;
  readonly #repeating: RepeatingCheck;
  #anchor: AuditHead | undefined;
  #lastFailures = '';

  constructor(options: IntegrityWatchOptions) {
    this.#options = options;
    this.#repeating = new RepeatingCheck('integrity watch', options.intervalMs ?? DAY, () => this.check());
    this.#logger = options.logger.child({ component: 'incidents' });
  }

  start(): Promise<void> {
    return this.#repeating.start();
  }

  stop(): Promise<void> {
    return this.#repeating.stop();
  }

  /** One run of both checks; the timer calls it, tests may too. */
  check(): IntegrityCheckResult {
    const failures = [this.#quickCheck(), this.#verifyAudit()].filter((failure): failure is string => failure !== undefined);
    const signature = failures.join('; ');
    const isNew = signature !== '' && signature !== this.#lastFailures;
    const recovered = signature === '' && this.#lastFailures !== '';
    this.#lastFailures = signature;
    if (recovered) this.#logger.info('integrity checks pass again');
    if (!isNew) {
      if (signature !== '') this.#logger.error({ failures: failures.length }, 'integrity checks still failing; incident already raised');
      return { failures, raised: false };
    }
    try {
      this.#options.incidents.raise({ kind: 'integrity-failure', severity: 'high', summary: signature });
    } catch (error) {
      // A damaged database may refuse the write too; the log line is then all that is left.
      this.#logger.error({ err: describeError(error), failures: failures.length }, 'could not record an integrity-failure incident');
      return { failures, raised: false };
    }
    return { failures, raised: true };
  }

  #quickCheck(): string | undefined {
    const database = this.#options.database;
    if (!database) return undefined;
    let answer: string;
    try {
      answer = database.quickCheck();
    } catch (error) {
      this.#logger.error({ err: describeError(error) }, 'database quick_check could not run');
      return 'database quick_check could not run';
    }
    if (answer === 'ok') return undefined;
    // Only the count travels: `doctor` shows SQLite's own lines to whoever is at the box.
    const problems = answer.split('\n').filter((line) => line.trim() !== '').length;
    this.#logger.error({ problems }, 'database quick_check failed');
    return `database quick_check failed with ${problems} problem${problems === 1 ? '' : 's'}`;
  }

  #verifyAudit(): string | undefined {
    try {
      const result = this.#options.audit.verify(this.#anchor ? { anchor: this.#anchor } : undefined);
      if (result.ok) {
        if (result.head) this.#anchor = result.head;
        return undefined;
      }
      this.#logger.error({ seq: result.seq, reason: result.reason, intactEntries: result.intactEntries }, 'audit log verification failed');
      return `audit log verification failed at entry ${result.seq} (${result.reason})`;
    } catch (error) {
      this.#logger.error({ err: describeError(error) }, 'audit log verification could not run');
      return 'audit log verification could not run';
    }
  }
}
