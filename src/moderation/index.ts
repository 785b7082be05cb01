export type {
  GivenModeration,
  ModeratedCallerView,
  ModerationActor,
  ModerationEntryView,
  ModerationErrorCode,
  ModerationKind,
  ModerationOverview,
  ModerationRefusal,
  ModerationResult,
  ModerationStatus,
} from './moderation-types.js';
export { ModerationRegister, type ModerationPolicy, type ModerationRegisterOptions } from './moderation-register.js';
export { MIN_REASON_LENGTH, MAX_REASON_LENGTH } from './moderation-rules.js';
