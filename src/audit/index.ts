export type { AuditAction, AuditActorRole, AuditDetails, AuditRecord, NewAuditEntry } from './audit-entry.js';
export { AUDIT_ACTIONS, AUDIT_ACTOR_ROLES, GENESIS_HASH, accountActorId, isAuditAction } from './audit-entry.js';
export { AuditLog, type AuditLogOptions } from './audit-log.js';
export type { AuditBreakReason, AuditHead, AuditVerification, VerifyAuditLogOptions } from './audit-verify.js';
export { describeVerification, verifyAuditLog } from './audit-verify.js';
