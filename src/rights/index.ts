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
