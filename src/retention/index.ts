export { RetentionSweeper, type RetentionSweeperOptions, type SweepResult, type ShreddedKey, type LinkedPseudonymStore } from './retention-sweeper.js';
export { currentRetentionPlan, type RetentionStores } from './retention-status.js';
export { retentionRules, ruleFor, RETENTION_DATA_CLASSES, type RetentionRule, type RetentionDataClass } from './retention-rules.js';
export { expiresAt, isDue, oldestLiveEpoch, epochsDue, nextDeadline, dueBefore } from './retention-calendar.js';
export { planRetention, type RetentionPlan, type StoredSummary, type RetentionStatusLine } from './retention-plan.js';
