export type {
  ClosedChatSummary,
  FragmentDraftView,
  RevealedChatAddress,
  StandInCounts,
  TrainingFragmentView,
  TranscriptActor,
  TranscriptFeatures,
  TranscriptLineState,
  TranscriptLineView,
  TranscriptRefusal,
  TranscriptResult,
  TranscriptView,
} from './transcript-types.js';
export { TRANSCRIPT_AUDIT_ACTIONS, type TranscriptAudit, type TranscriptAuditAction, type TranscriptAuditEntry } from './transcript-audit.js';
export { TranscriptReader, MAX_FRAGMENT_LINES, type PickedLine, type TranscriptPolicy, type TranscriptReaderOptions } from './transcript-reader.js';
export {
  TrainingFragments,
  DEFAULT_DRAFT_TTL_MS,
  MAX_FRAGMENT_TEXT_LENGTH,
  MAX_FRAGMENT_TITLE_LENGTH,
  REFUSED_AT_SAVE,
  type FragmentToSave,
  type TrainingFragmentsOptions,
} from './training-fragments.js';
export { StandIns, deidentifyLines, replaceDetails, REMOVED } from './stand-ins.js';
export { TranscriptDesk, type TranscriptDeskOptions } from './transcript-desk.js';
