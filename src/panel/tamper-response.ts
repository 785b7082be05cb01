import type { NewAuditEntry } from '../audit/audit-entry.js';
import { describeError } from '../events/typed-emitter.js';
import type { FaultRegister } from '../health/faults.js';
import type { IncidentRaiser, RaiseIncident } from '../incidents/incident-register.js';
import type { Logger } from '../log/logger.js';
import type { Panel } from './panel.js';

/** The keyring as the tamper response needs it (Keyring fits). */
export interface ZeroizableKeyring {
  zeroize(): void;
  readonly zeroized: boolean;
}

export interface TamperResponseOptions {
  readonly panel: Pick<Panel, 'on'>;
  readonly incidents: IncidentRaiser;
  readonly audit: { append(entry: NewAuditEntry): unknown };
  readonly keyring: ZeroizableKeyring;
  /** Config `panel.tamper.zeroize`: destroy the key-encryption key when the case is opened. */
  readonly zeroize: boolean;
  readonly faults: Pick<FaultRegister, 'raise' | 'clear'>;
  readonly logger: Logger;
}

/**
 * What the box does when its case is opened or its panel board goes away (P14, issue 7):
 *
 * - lid open (debounced by the panel): when configured, the key-encryption key is overwritten and
 *   deleted and the keys wiped from memory first, before anything that could fail or take time
 *   (someone is at the box); then the fault HGW_KEYRING_ZEROIZED (fault LED on, intake stops), an
 *   audit entry and a `tamper` incident (critical). Without zeroize: the incident and the audit
 *   entry, the box runs on.
 * - panel board lost: a `tamper` incident (high: unplugging the board is one way to defeat the
 *   switch) and the warning HGW_PANEL_LOST until it answers again. No zeroize: a loose USB cable
 *   must not destroy the keyring.
 */
export class TamperResponse {
  readonly #options: TamperResponseOptions;
  readonly #logger: Logger;
  readonly #unsubscribes: (() => void)[] = [];

  constructor(options: TamperResponseOptions) {
    this.#options = options;
    this.#logger = options.logger.child({ component: 'tamper' });
  }

  start(): void {
    if (this.#unsubscribes.length > 0) return;
    const { panel } = this.#options;
    this.#unsubscribes.push(
      panel.on('tamper', () => this.#caseOpened()),
      panel.on('tamper-cleared', () => this.#logger.warn('the case reads closed again; the tamper incident stays open for a coordinator')),
      panel.on('lost', () => this.#panelLost()),
      panel.on('found', () => this.#panelFound()),
    );
  }

  stop(): void {
    for (const unsubscribe of this.#unsubscribes.splice(0)) unsubscribe();
  }

  #caseOpened(): void {
    const zeroized = this.#options.zeroize ? this.#zeroize() : false;
    this.#logger.error({ zeroized }, 'the case was opened');
    this.#audit({ actorRole: 'system', actorId: 'panel', action: 'tamper.detected', details: { switch: 'lid', zeroized } });
    this.#raise({
      kind: 'tamper',
      severity: 'critical',
      summary: zeroized
        ? 'the case was opened; the key-encryption key was destroyed as configured, so nothing sealed can be unsealed any more'
        : 'the case was opened',
    });
  }

  /** True when the keyring is zeroized now (by this call or an earlier one). */
  #zeroize(): boolean {
    const { keyring, faults } = this.#options;
    if (keyring.zeroized) return true;
    try {
      keyring.zeroize();
    } catch (error) {
      // The keys are wiped from memory before the files are touched: the box cannot unseal either way.
      this.#logger.error({ err: describeError(error) }, 'zeroizing the key-encryption key failed part-way');
    }
    faults.raise('HGW_KEYRING_ZEROIZED');
    if (keyring.zeroized) this.#audit({ actorRole: 'system', actorId: 'panel', action: 'keyring.zeroized', target: 'keyring', details: { reason: 'tamper' } });
    return keyring.zeroized;
  }

  #panelLost(): void {
    this.#options.faults.raise('HGW_PANEL_LOST');
    this.#audit({ actorRole: 'system', actorId: 'panel', action: 'panel.lost' });
    this.#raise({ kind: 'tamper', severity: 'high', summary: 'the front-panel board stopped answering (unplugged?); the tamper switch cannot be read until it is back' });
  }

  #panelFound(): void {
    this.#options.faults.clear('HGW_PANEL_LOST');
    this.#audit({ actorRole: 'system', actorId: 'panel', action: 'panel.found' });
  }

  #audit(entry: NewAuditEntry): void {
    try {
      this.#options.audit.append(entry);
    } catch (error) {
      this.#logger.error({ action: entry.action, err: describeError(error) }, 'tamper audit entry not written');
    }
  }

  #raise(incident: RaiseIncident): void {
    try {
      this.#options.incidents.raise(incident);
    } catch (error) {
      this.#logger.error({ kind: incident.kind, err: describeError(error) }, 'could not record the tamper incident');
    }
  }
}
