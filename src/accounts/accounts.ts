import { randomBytes } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.js';
import { accountActorId, type AuditAction, type AuditActorRole, type AuditDetails } from '../audit/audit-entry.js';
import { describeError } from '../events/typed-emitter.js';
import type { Logger } from '../log/logger.js';
import { AccountsRepository, type AccountRow } from '../store/accounts-repository.js';
import type { GatewayDatabase } from '../store/open-database.js';
import { SessionsRepository } from '../store/sessions-repository.js';
import type { Clock } from '../time/clock.js';
import { AccountError } from './account-error.js';
import { checkAccountId, checkPasswordPolicy, isValidAccountId, MAX_PASSWORD_LENGTH, normalizeAccountId } from './account-policy.js';
import { LoginThrottle, type LoginFailureBurst, type LoginThrottleOptions } from './login-throttle.js';
import { hashPassword, needsRehash, SHIPPED_SCRYPT_PARAMETERS, verifyPassword, type ScryptParameters } from './password-hash.js';
import { isRole, type Role } from './roles.js';
import { DEFAULT_SESSION_POLICY, SessionManager, type AuthenticatedSession, type IssuedSession, type SessionPolicy } from './sessions.js';

export interface AccountServiceOptions {
  readonly database: GatewayDatabase;
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly sessionPolicy?: Partial<SessionPolicy>;
  /** Limits of the login throttle; the clock and logger are the service's. */
  readonly throttle?: Omit<LoginThrottleOptions, 'clock' | 'logger'>;
  /** Cost of new password hashes. Only tests lower it. */
  readonly scryptParameters?: ScryptParameters;
  /** Where logins, logouts and account changes are recorded (P14/P15: who could see what, when). */
  readonly audit?: AuditLog;
}

/** Who changes an account: a coordinator through the API, or the box's own command line. */
export interface AccountActor {
  readonly accountId: string;
  readonly role: AuditActorRole;
}

/** `helpline-gateway accounts …` run by whoever holds a shell on the box. */
const COMMAND_LINE: AccountActor = { accountId: 'command-line', role: 'system' };

/** An account as the API and pages show it: never the password hash. */
export interface AccountSummary {
  readonly id: string;
  readonly role: Role;
  readonly createdAt: number;
  readonly disabledAt: number | null;
}

export type LoginRefusalReason = 'invalid' | 'throttled' | 'disabled';

/** One text for an unknown account and a wrong password, so the answer tells neither apart. */
export const LOGIN_REFUSAL_MESSAGES: Readonly<Record<LoginRefusalReason, string>> = {
  invalid: 'account or password is not correct',
  throttled: 'too many failed logins; try again later',
  disabled: 'this account is disabled',
};

export type LoginResult =
  | { readonly ok: true; readonly accountId: string; readonly role: Role; readonly session: IssuedSession }
  | { readonly ok: false; readonly reason: LoginRefusalReason; readonly message: string; readonly retryAt?: number };

export interface LoginContext {
  /** Derived by the HTTP layer from the client (a keyed hash, never an address). */
  readonly remoteKey: string;
  /** A session token the client already holds: ended when the login succeeds, never upgraded (no fixation). */
  readonly replacing?: string;
}

/**
 * Local accounts with roles, scrypt password hashes, sessions and login throttling (issue 3). The
 * HTTP layer checks capabilities with `can(session.role, …)` from roles.ts.
 */
export class AccountService {
  readonly #database: GatewayDatabase;
  readonly #accounts: AccountsRepository;
  readonly #sessions: SessionManager;
  readonly #throttle: LoginThrottle;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #scrypt: ScryptParameters;
  readonly #audit: AuditLog | undefined;
  /** A hash of a random password, so an unknown account costs the same scrypt run as a known one. */
  #dummyHash: Promise<string> | undefined;

  constructor(options: AccountServiceOptions) {
    this.#database = options.database;
    this.#clock = options.clock;
    this.#logger = options.logger?.child({ component: 'accounts' });
    this.#scrypt = options.scryptParameters ?? SHIPPED_SCRYPT_PARAMETERS;
    this.#audit = options.audit;
    this.#accounts = new AccountsRepository(options.database);
    this.#sessions = new SessionManager({
      sessions: new SessionsRepository(options.database),
      clock: options.clock,
      policy: { ...DEFAULT_SESSION_POLICY, ...options.sessionPolicy },
    });
    this.#throttle = new LoginThrottle({ ...options.throttle, clock: options.clock, ...(this.#logger ? { logger: this.#logger } : {}) });
  }

  get sessionPolicy(): SessionPolicy {
    return this.#sessions.policy;
  }

  /** For the incidents register: called when a key gets locked or the site sees a burst of failures. */
  onLoginBurst(listener: (burst: LoginFailureBurst) => void): () => void {
    return this.#throttle.onBurst(listener);
  }

  async createAccount(id: string, role: Role, password: string, by: AccountActor = COMMAND_LINE): Promise<AccountSummary> {
    const accountId = checkAccountId(id);
    checkRole(role);
    checkPasswordPolicy(accountId, password);
    if (this.#accounts.find(accountId)) throw exists();
    const passwordHash = await hashPassword(password, this.#scrypt);
    const createdAt = this.#clock.now();
    try {
      this.#accounts.insert({ id: accountId, role, passwordHash, createdAt });
    } catch (error) {
      // Two creations of the same id can both pass the check above while they hash.
      if (error instanceof Error && /UNIQUE/.test(error.message)) throw exists();
      throw error;
    }
    this.#record(by, 'account.created', accountId, { role });
    this.#logger?.info({ account: accountId, role }, 'account created');
    return { id: accountId, role, createdAt, disabledAt: null };
  }

  /** Ends every session of the account: whoever knew the old password is logged out. */
  async setPassword(id: string, password: string, by: AccountActor = COMMAND_LINE): Promise<void> {
    const accountId = this.#existing(id).id;
    checkPasswordPolicy(accountId, password);
    const passwordHash = await hashPassword(password, this.#scrypt);
    this.#database.transaction(() => {
      if (!this.#accounts.setPasswordHash(accountId, passwordHash)) throw unknown();
      this.#sessions.revokeAllFor(accountId);
      this.#record(by, 'account.password-changed', accountId);
    });
    this.#logger?.info({ account: accountId }, 'password changed');
  }

  /** A privilege change: the account's sessions end, so it logs in again under the new role. */
  changeRole(id: string, role: Role, by: AccountActor = COMMAND_LINE): AccountSummary {
    checkRole(role);
    const account = this.#existing(id);
    this.#database.transaction(() => {
      this.#accounts.setRole(account.id, role);
      this.#sessions.revokeAllFor(account.id);
      this.#record(by, 'account.role-changed', account.id, { from: account.role, to: role });
    });
    this.#logger?.info({ account: account.id, role }, 'account role changed');
    return summary({ ...account, role });
  }

  /** Refuses further logins and ends every session of the account at once. */
  disable(id: string, by: AccountActor = COMMAND_LINE): AccountSummary {
    const account = this.#existing(id);
    const ended = this.#database.transaction(() => {
      this.#accounts.markDisabled(account.id, this.#clock.now());
      const count = this.#sessions.revokeAllFor(account.id);
      this.#record(by, 'account.disabled', account.id, { sessionsEnded: count });
      return count;
    });
    this.#logger?.info({ account: account.id, sessionsEnded: ended }, 'account disabled');
    return summary(this.#existing(account.id));
  }

  enable(id: string, by: AccountActor = COMMAND_LINE): AccountSummary {
    const account = this.#existing(id);
    this.#database.transaction(() => {
      this.#accounts.markEnabled(account.id);
      this.#record(by, 'account.enabled', account.id);
    });
    this.#logger?.info({ account: account.id }, 'account enabled');
    return summary({ ...account, disabledAt: null });
  }

  getAccount(id: string): AccountSummary | undefined {
    const normalized = normalizeAccountId(id);
    const account = isValidAccountId(normalized) ? this.#accounts.find(normalized) : undefined;
    return account && summary(account);
  }

  listAccounts(): AccountSummary[] {
    return this.#accounts.list().map(summary);
  }

  /**
   * Checks the password and, if it is right, issues a new session. Unknown account and wrong
   * password give the same refusal after the same scrypt work; "disabled" is told only to someone
   * who knows the password.
   */
  async login(id: string, password: string, context: LoginContext): Promise<LoginResult> {
    if (typeof context?.remoteKey !== 'string' || context.remoteKey === '') throw new TypeError('login needs a non-empty remoteKey');
    const accountId = typeof id === 'string' ? normalizeAccountId(id) : '';
    const decision = this.#throttle.admit({ account: accountId, remote: context.remoteKey });
    if (!decision.admitted) return refusal('throttled', decision.retryAt);
    const { attempt } = decision;
    try {
      const account = isValidAccountId(accountId) ? this.#accounts.find(accountId) : undefined;
      // Too long to be a password the policy accepted: still hash something, for the same timing.
      const candidate = typeof password === 'string' && password.length <= MAX_PASSWORD_LENGTH * 2 ? password : '';
      const matches = await verifyPassword(candidate, account?.passwordHash ?? (await this.#dummy()));
      if (!account || !matches) {
        attempt.failed();
        // The submitted id is logged only when it names an account: a mistyped one may be a password.
        this.#logger?.info(account ? { account: account.id } : {}, 'login refused: account or password not correct');
        // Likewise here: an id that names no account is recorded as such, not as typed.
        if (account) this.#record({ accountId: account.id, role: account.role }, 'login.failed', undefined, { reason: 'invalid' });
        else this.#record({ accountId: 'login', role: 'system' }, 'login.failed', undefined, { reason: 'invalid', accountKnown: false });
        return refusal('invalid');
      }
      if (account.disabledAt !== null) {
        attempt.abandoned();
        this.#logger?.info({ account: account.id }, 'login refused: account disabled');
        this.#record({ accountId: account.id, role: account.role }, 'login.failed', undefined, { reason: 'disabled' });
        return refusal('disabled');
      }
      attempt.succeeded();
      if (needsRehash(account.passwordHash, this.#scrypt)) await this.#rehash(account.id, candidate);
      if (context.replacing !== undefined) this.#sessions.revoke(context.replacing);
      const session = this.#sessions.issue(account.id);
      this.#record({ accountId: account.id, role: account.role }, 'login.succeeded');
      this.#logger?.info({ account: account.id, role: account.role }, 'logged in');
      return { ok: true, accountId: account.id, role: account.role, session };
    } finally {
      attempt.abandoned();
    }
  }

  /** The live session behind a token (idle expiry moved on), or undefined. */
  authenticate(token: unknown): AuthenticatedSession | undefined {
    return this.#sessions.authenticate(token);
  }

  /** A new token and CSRF token for a live session; the old token stops working. */
  rotate(token: unknown): IssuedSession | undefined {
    return this.#sessions.rotate(token);
  }

  /** False when the token named no session. */
  logout(token: unknown): boolean {
    const session = this.#sessions.authenticate(token);
    const ended = this.#sessions.revoke(token);
    if (ended && session) this.#record({ accountId: session.accountId, role: session.role }, 'logout');
    return ended;
  }

  /** Deletes expired session rows; the owner of a timer calls it now and then. */
  sweepExpiredSessions(): number {
    return this.#sessions.deleteExpired();
  }

  /** Best effort: the login stands even if the upgrade fails; it is tried again next time. */
  async #rehash(accountId: string, password: string): Promise<void> {
    try {
      const passwordHash = await hashPassword(password, this.#scrypt);
      this.#accounts.setPasswordHash(accountId, passwordHash);
      this.#logger?.info({ account: accountId }, 'password hash upgraded to current parameters');
    } catch (error) {
      this.#logger?.warn({ account: accountId, err: describeError(error) }, 'password hash upgrade failed');
    }
  }

  #record(actor: AccountActor, action: AuditAction, account?: string, details?: AuditDetails): void {
    this.#audit?.append({
      actorRole: actor.role,
      actorId: actor.role === 'system' ? actor.accountId : accountActorId(actor.accountId),
      action,
      ...(account === undefined ? {} : { target: accountActorId(account) }),
      ...(details === undefined ? {} : { details }),
    });
  }

  #dummy(): Promise<string> {
    this.#dummyHash ??= hashPassword(randomBytes(32).toString('base64'), this.#scrypt);
    return this.#dummyHash;
  }

  #existing(id: string): AccountRow {
    const normalized = normalizeAccountId(id);
    const account = isValidAccountId(normalized) ? this.#accounts.find(normalized) : undefined;
    if (!account) throw unknown();
    return account;
  }
}

function checkRole(role: unknown): asserts role is Role {
  if (!isRole(role)) throw new AccountError('HGW_ACCOUNT_INVALID_ROLE', 'role must be volunteer, supervisor, coordinator or technician');
}

function summary(account: AccountRow): AccountSummary {
  return { id: account.id, role: account.role, createdAt: account.createdAt, disabledAt: account.disabledAt };
}

function refusal(reason: LoginRefusalReason, retryAt?: number): LoginResult {
  return retryAt === undefined ? { ok: false, reason, message: LOGIN_REFUSAL_MESSAGES[reason] } : { ok: false, reason, message: LOGIN_REFUSAL_MESSAGES[reason], retryAt };
}

function exists(): AccountError {
  return new AccountError('HGW_ACCOUNT_EXISTS', 'an account with this id already exists');
}

function unknown(): AccountError {
  return new AccountError('HGW_ACCOUNT_UNKNOWN', 'no account with this id');
}
