import type { NewAuditEntry } from '../audit/audit-entry.js';
import { describeError, TypedEmitter } from '../events/typed-emitter.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import type { Scheduler } from '../time/scheduler.js';

/**
 * What the update upload route asks (issue 7): network updates are taken only while this is true,
 * which needs someone at the box to hold its button.
 */
export interface MaintenanceGate {
  active(): boolean;
}

/** Maintenance mode ends by itself this long after it began. */
export const MAINTENANCE_MS = 30 * 60 * 1000;

export type MaintenanceTrigger = 'button' | 'expired' | 'stop';

export interface MaintenanceModeOptions {
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly audit: { append(entry: NewAuditEntry): unknown };
  readonly durationMs?: number;
}

interface MaintenanceEvents {
  changed: [active: boolean];
}

/**
 * Maintenance mode: entered and left with a long press of the panel's button, ended by itself
 * after 30 minutes on the injected clock. Every change is audited (actor: the panel or the
 * box) and logged; the ready LED blinks slowly while it lasts.
 */
export class MaintenanceMode implements MaintenanceGate {
  readonly #options: MaintenanceModeOptions;
  readonly #logger: Logger;
  readonly #events: TypedEmitter<MaintenanceEvents>;
  #until: number | undefined;
  #cancelExpiry: (() => void) | undefined;

  constructor(options: MaintenanceModeOptions) {
    this.#options = options;
    this.#logger = options.logger.child({ component: 'maintenance' });
    this.#events = new TypedEmitter(this.#logger);
  }

  /** True from enter() until leave() or 30 minutes later, whichever comes first. */
  active(): boolean {
    return this.#until !== undefined && this.#options.clock.now() < this.#until;
  }

  /** When it ends by itself; undefined when not active. */
  until(): number | undefined {
    return this.active() ? this.#until : undefined;
  }

  enter(trigger: MaintenanceTrigger = 'button'): void {
    if (this.active()) return;
    const durationMs = this.#options.durationMs ?? MAINTENANCE_MS;
    this.#until = this.#options.clock.now() + durationMs;
    this.#cancelExpiry = this.#options.scheduler.after(durationMs, () => {
      this.#cancelExpiry = undefined;
      this.leave('expired');
    });
    this.#record('maintenance.entered', trigger, { minutes: Math.round(durationMs / 60_000) });
    this.#events.emit('changed', true);
  }

  leave(trigger: MaintenanceTrigger = 'button'): void {
    if (this.#until === undefined) return;
    this.#until = undefined;
    this.#cancelExpiry?.();
    this.#cancelExpiry = undefined;
    this.#record('maintenance.left', trigger, {});
    this.#events.emit('changed', false);
  }

  /** The long press: in when out, out when in. */
  toggle(): void {
    if (this.active()) this.leave('button');
    else this.enter('button');
  }

  onChange(listener: (active: boolean) => void): () => void {
    return this.#events.on('changed', listener);
  }

  /** The box is stopping: maintenance mode ends with it (audited like any end). */
  stop(): void {
    if (this.#until !== undefined) this.leave('stop');
    this.#events.removeAllListeners();
  }

  #record(action: 'maintenance.entered' | 'maintenance.left', trigger: MaintenanceTrigger, details: Record<string, number>): void {
    this.#logger.info({ trigger, ...details }, action === 'maintenance.entered' ? 'maintenance mode entered' : 'maintenance mode left');
    try {
      this.#options.audit.append({ actorRole: 'system', actorId: trigger === 'button' ? 'panel' : 'maintenance', action, details: { trigger, ...details } });
    } catch (error) {
      this.#logger.error({ err: describeError(error) }, 'maintenance change not audited');
    }
  }
}
