export type {
  Categories,
  ContactModeration,
  ContactReference,
  ModerationLookupFailure,
  StationBackend,
  StationContactState,
  StationContactView,
  TimeOutRefusalCode,
  TimeOutResult,
  WrapUp,
  WrapUpResult,
} from './contact-view.js';
export { mayRoute } from './contact-view.js';
export { ContactDesk, type CallerModeration, type ContactDeskOptions } from './contact-desk.js';
export { randomContactReference, isContactReference } from './contact-reference.js';
