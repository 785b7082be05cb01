import type { ContactReference } from '../../contacts/contact-view.js';
import type { Logger } from '../../log/logger.js';
import type { LatchPolicy, PromptLibrary, RtpPortPool } from '../../media/index.js';
import type { Clock } from '../../time/clock.js';
import type { Scheduler } from '../../time/scheduler.js';
import type { OutboundLegContext } from './outbound-leg.js';
import type { SipRouter } from './sip-line-types.js';
import type { EndCause, TrunkCall } from './trunk-call.js';

/** What a call needs from the line that owns it: shared parts and the line's bookkeeping. */
export interface CallContext {
  readonly legs: OutboundLegContext;
  readonly router: SipRouter;
  readonly prompts: PromptLibrary;
  readonly rtpPool: RtpPortPool;
  readonly rtpBindAddress: string;
  readonly mediaAddress: string;
  readonly latch: LatchPolicy;
  readonly mediaTimeoutMs: number;
  readonly timeZone: string;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  changed(call: TrunkCall): void;
  finished(call: TrunkCall, cause: EndCause): void;
  listenAlongCount(reference: ContactReference): number;
  endListenAlong(reference: ContactReference): Promise<void>;
}
