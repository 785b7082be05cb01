export type {
  IntakeModeration, ListenAlongEvent, ListenAlongEventKind, SipCallSnapshot, SipCallState, SipIntake, SipIntakeResult,
  SipLineEvents, SipLineOptions, SipLineSnapshot, SipRouter,
} from './sip-line-types.js';
export { SipLine, planFor } from './sip-line.js';
export type { CallPlan, EndCause } from './trunk-call.js';
export type { ListenAlongSession } from './listen-along-session.js';
export { readCallerPresentation } from './caller-identity.js';
export { deskDisplayText } from './desk-presentation.js';
export { SipSupervision } from './sip-supervision.js';
export type { SipSupervisionOptions, SupervisedLine, SupervisedSession, SupervisedStation, SupervisorActor } from './sip-supervision.js';
