import { describeError } from '../events/typed-emitter.js';
import type { Logger } from '../log/logger.js';
import type { IncidentRaiser } from './incident-register.js';

/**
 * What the detector reads of a login burst. The same shape as accounts' LoginFailureBurst, taken
 * structurally so this folder does not depend on the accounts folder: it names no account and no
 * remote key, and neither does the incident.
 */
export interface LoginBurst {
  readonly scope: 'account' | 'remote' | 'site';
  readonly failures: number;
  readonly windowMs: number;
}

/** The part of AccountService this detector needs. */
export interface LoginBurstSource {
  onLoginBurst(listener: (burst: LoginBurst) => void): () => void;
}

export interface LoginBurstIncidentsOptions {
  readonly accounts: LoginBurstSource;
  readonly incidents: IncidentRaiser;
  readonly logger: Logger;
}

const SCOPE_WORDS: Readonly<Record<LoginBurst['scope'], string>> = {
  account: 'against one account',
  remote: 'from one client',
  site: 'across the site',
};

/**
 * Raises a 'login-burst' incident (medium) for every burst of failed logins the throttle reports:
 * a locked account, a locked client or a site-wide wave. The register folds repeats within an hour
 * into one incident and audits the new ones.
 */
export class LoginBurstIncidents {
  readonly #accounts: LoginBurstSource;
  readonly #incidents: IncidentRaiser;
  readonly #logger: Logger;
  #unsubscribe: (() => void) | undefined;

  constructor(options: LoginBurstIncidentsOptions) {
    this.#accounts = options.accounts;
    this.#incidents = options.incidents;
    this.#logger = options.logger.child({ component: 'incidents' });
  }

  start(): Promise<void> {
    this.#unsubscribe ??= this.#accounts.onLoginBurst((burst) => this.#raise(burst));
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    return Promise.resolve();
  }

  #raise(burst: LoginBurst): void {
    const minutes = Math.max(1, Math.round(burst.windowMs / 60_000));
    const summary = `${burst.failures} failed logins within ${minutes} minutes ${SCOPE_WORDS[burst.scope]}`;
    try {
      this.#incidents.raise({ kind: 'login-burst', severity: 'medium', summary });
    } catch (error) {
      this.#logger.error({ err: describeError(error), scope: burst.scope, failures: burst.failures }, 'could not record a login-burst incident');
    }
  }
}
