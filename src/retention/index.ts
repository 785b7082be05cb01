export { LinkageSweeper, type LinkageSweeperOptions, type SweepResult } from './linkage-sweeper.js';
export { retentionRules, ruleFor, RETENTION_DATA_CLASSES, type RetentionRule, type RetentionDataClass } from './retention-rules.js';
export { expiresAt, isDue, oldestLiveEpoch, epochsDue, nextDeadline, dueBefore } from './retention-calendar.js';
export { planRetention, type RetentionPlan, type StoredSummary, type RetentionStatusLine } from './retention-plan.js';
