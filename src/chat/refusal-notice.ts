import type { ContactModeration } from '../contacts/contact-view.js';
import { dutchDateTime } from '../time/dutch-date-time.js';
import type { RefusalReason } from './chat-protocol.js';


export interface RefusalNotice {
  readonly reason: RefusalReason;
  readonly until: number | null;
  /** Dutch, for the chatter: what happened and until when, in the site's zone. */
  readonly text: string;
}


/**
 * What a chatter the box will not put through is told (P4: "dit word je medegedeeld"). A failed
 * lookup under `moderation.onLookupFailure: refuse` says nothing about moderation: the box's fault
 * is not the chatter's.
 */
export function refusalNotice(moderation: ContactModeration, timeZone: string): RefusalNotice {
  switch (moderation.kind) {
    case 'time-out':
      return {
        reason: 'time-out',
        until: moderation.until,
        text: `Je hebt een Time Out tot ${dutchDateTime(moderation.until, timeZone)}. Je kunt daarna weer chatten.`,
      };
    case 'blocked':
      return {
        reason: 'blocked',
        until: moderation.until,
        text: `Je bent geblokkeerd tot ${dutchDateTime(moderation.until, timeZone)}. Je kunt daarna weer chatten.`,
      };
    case 'unknown':
      return { reason: 'unavailable', until: null, text: 'Chatten lukt op dit moment niet. Probeer het later nog eens.' };
  }
}
