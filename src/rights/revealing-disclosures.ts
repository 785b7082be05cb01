import type { ContactReference } from '../contacts/contact-view.js';
import type { BreakGlassDisclosure, DisclosureActor, DisclosureRefusal, DisclosureRefuseResult, DisclosureRequestResult, PendingDisclosuresResult } from './break-glass.js';
import { revealIdentifier } from './reveal-identifier.js';

export type RevealedApproval =
  | { readonly ok: true; readonly requestId: number; readonly reference: ContactReference; readonly revealed: string; readonly incidentId: number }
  | DisclosureRefusal;

/** Break-glass as the coordinator page uses it: an approval carries the identifier as display text. */
export interface RevealingDisclosures {
  request(actor: DisclosureActor, reference: ContactReference, reason: string): DisclosureRequestResult;
  approve(actor: DisclosureActor, requestId: number): RevealedApproval;
  refuse(actor: DisclosureActor, requestId: number): DisclosureRefuseResult;
  pending(actor: DisclosureActor): PendingDisclosuresResult;
}

/**
 * The approving coordinator is the one person shown the number (P16), so the text is made here,
 * in rights/, and the HTTP layer never handles a RawIdentifier.
 */
export function revealingDisclosures(breakGlass: BreakGlassDisclosure): RevealingDisclosures {
  return {
    request: (actor, reference, reason) => breakGlass.request(actor, reference, reason),
    refuse: (actor, requestId) => breakGlass.refuse(actor, requestId),
    pending: (actor) => breakGlass.pending(actor),
    approve: (actor, requestId) => {
      const approved = breakGlass.approve(actor, requestId);
      if (!approved.ok) return approved;
      return { ok: true, requestId: approved.requestId, reference: approved.reference, revealed: revealIdentifier(approved.identifier), incidentId: approved.incidentId };
    },
  };
}
