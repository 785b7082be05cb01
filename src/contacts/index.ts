export type {
  Categories,
  ContactReference,
  StationBackend,
  StationContactState,
  StationContactView,
  WrapUp,
  WrapUpResult,
} from './contact-view.js';
export { ContactDesk, type ContactDeskOptions } from './contact-desk.js';
export { randomContactReference, isContactReference } from './contact-reference.js';
