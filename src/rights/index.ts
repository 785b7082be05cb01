export {
  BreakGlassDisclosure,
  DEFAULT_DISCLOSURE_REQUEST_TTL_MS,
  MIN_DISCLOSURE_REASON_LENGTH,
  type BreakGlassDisclosureOptions,
  type DisclosureActor,
  type DisclosureApprovalResult,
  type DisclosureRefusal,
  type DisclosureRefusalReason,
  type DisclosureRefuseResult,
  type DisclosureRequestResult,
  type PendingDisclosure,
  type PendingDisclosuresResult,
} from './break-glass.js';
export type {
  AccessExport,
  CallerRequestAlert,
  CallerRequestAnswer,
  CallerRequestChannel,
  CallerRequestDesk,
  CallerRequestExtension,
  CallerRequestKind,
  CallerRequestResult,
  CallerRequestStatus,
  CallerRequestView,
  RegisterCallerRequest,
  RightsActor,
} from './caller-request-types.js';
export { CallerRequests, MIN_EXTENSION_REASON_LENGTH, type CallerRequestsOptions } from './caller-requests.js';
export { ObjectionRegister } from './objection-register.js';
export { revealIdentifier } from './reveal-identifier.js';
export { ANSWER_MONTHS, EXTENDED_ANSWER_MONTHS, NEARLY_DUE_DAYS, deadlineAlert, extendedDueAt, originalDueAt } from './request-deadlines.js';
export type { AccessRetentionFacts } from './access-document.js';
export { revealingDisclosures, type RevealedApproval, type RevealingDisclosures } from './revealing-disclosures.js';
