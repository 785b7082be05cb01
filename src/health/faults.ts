import type { NewAuditEntry } from '../audit/audit-entry.js';
import type { GatewayErrorCode } from '../errors.js';
import { describeError, TypedEmitter } from '../events/typed-emitter.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';

/**
 * The faults the box reports in /health and upstream, each an HGW_* code (docs/errors.md). Most
 * stop intake: new contacts are no longer stored (docs/health.md says what each channel does).
 */
export const FAULT_CODES = [
  'HGW_DISK_LOW',
  'HGW_DISK_FULL',
  'HGW_STORE_UNWRITABLE',
  'HGW_STORE_IO_ERROR',
  'HGW_KEYRING_ZEROIZED',
  'HGW_PANEL_LOST',
  'HGW_CLOCK_BEHIND',
] as const satisfies readonly GatewayErrorCode[];
export type FaultCode = (typeof FAULT_CODES)[number];

/** A warning only: intake goes on. */
const WARNINGS: ReadonlySet<FaultCode> = new Set(['HGW_DISK_LOW', 'HGW_PANEL_LOST', 'HGW_CLOCK_BEHIND']);

export function faultStopsIntake(code: FaultCode): boolean {
  return !WARNINGS.has(code);
}

/** What the contact desk, the chat and the SMTP listener ask before they take a new contact. */
export interface IntakeGate {
  accepting(): boolean;
}

export interface FaultRegisterOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Every fault raised and cleared is audited; an audit that fails (a full disk) is logged. */
  readonly audit?: { append(entry: NewAuditEntry): unknown };
}

interface FaultEvents {
  changed: [codes: readonly FaultCode[]];
}

/**
 * The faults that are true now, each from its own watch (disk space, store writes, the keyring,
 * the panel). Intake stops while any fault that stops it is present and resumes by itself when
 * the last one clears. Codes only: a fault never carries text that could hold content.
 */
export class FaultRegister implements IntakeGate {
  readonly #options: FaultRegisterOptions;
  readonly #logger: Logger;
  readonly #events: TypedEmitter<FaultEvents>;
  readonly #since = new Map<FaultCode, number>();

  constructor(options: FaultRegisterOptions) {
    this.#options = options;
    this.#logger = options.logger.child({ component: 'faults' });
    this.#events = new TypedEmitter(this.#logger);
  }

  /** True when this fault was not present yet. */
  raise(code: FaultCode): boolean {
    if (this.#since.has(code)) return false;
    const wasAccepting = this.accepting();
    this.#since.set(code, this.#options.clock.now());
    this.#logger.error({ code, stopsIntake: faultStopsIntake(code) }, 'fault raised');
    if (wasAccepting && !this.accepting()) this.#logger.error({ code }, 'intake stopped');
    this.#audit('fault.raised', code);
    this.#events.emit('changed', this.codes());
    return true;
  }

  /** True when the fault was present. */
  clear(code: FaultCode): boolean {
    if (!this.#since.delete(code)) return false;
    this.#logger.info({ code }, 'fault cleared');
    if (this.accepting() && faultStopsIntake(code)) this.#logger.info('intake resumed');
    this.#audit('fault.cleared', code);
    this.#events.emit('changed', this.codes());
    return true;
  }

  has(code: FaultCode): boolean {
    return this.#since.has(code);
  }

  /** The present faults in the order of FAULT_CODES. */
  codes(): FaultCode[] {
    return FAULT_CODES.filter((code) => this.#since.has(code));
  }

  accepting(): boolean {
    return !this.codes().some(faultStopsIntake);
  }

  onChange(listener: (codes: readonly FaultCode[]) => void): () => void {
    return this.#events.on('changed', listener);
  }

  #audit(action: 'fault.raised' | 'fault.cleared', code: FaultCode): void {
    try {
      this.#options.audit?.append({ actorRole: 'system', actorId: 'faults', action, details: { code } });
    } catch (error) {
      this.#logger.warn({ code, err: describeError(error) }, 'fault change not audited');
    }
  }
}
