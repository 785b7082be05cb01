export { AccountError, isAccountError, type AccountErrorCode } from './account-error.js';
export { checkAccountId, checkPasswordPolicy, normalizeAccountId, MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH } from './account-policy.js';
export {
  AccountService,
  LOGIN_REFUSAL_MESSAGES,
  type AccountActor,
  type AccountServiceOptions,
  type AccountSummary,
  type LoginContext,
  type LoginRefusalReason,
  type LoginResult,
} from './accounts.js';
export {
  LoginThrottle,
  type AdmitDecision,
  type LoginAttempt,
  type LoginFailureBurst,
  type LoginThrottleKeys,
  type LoginThrottleOptions,
} from './login-throttle.js';
export {
  hashPassword,
  verifyPassword,
  parsePasswordHash,
  needsRehash,
  SHIPPED_SCRYPT_PARAMETERS,
  type ParsedPasswordHash,
  type ScryptParameters,
} from './password-hash.js';
export { can, capabilitiesOf, isCapability, isRole, CAPABILITIES, ROLES, type Capability, type Role } from './roles.js';
export {
  SessionManager,
  csrfTokenMatches,
  hashSessionToken,
  DEFAULT_SESSION_POLICY,
  type AuthenticatedSession,
  type IssuedSession,
  type SessionPolicy,
} from './sessions.js';
