import type { ContactModeration } from '../contacts/contact-view.js';
import { localDateTime, weekdayOf } from '../time/local-date-time.js';
import type { RefusalReason } from './chat-protocol.js';

const WEEKDAYS = ['maandag', 'dinsdag', 'woensdag', 'donderdag', 'vrijdag', 'zaterdag', 'zondag'] as const;
const MONTHS = ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december'] as const;

export interface RefusalNotice {
  readonly reason: RefusalReason;
  readonly until: number | null;
  /** Dutch, for the chatter: what happened and until when, in the site's zone. */
  readonly text: string;
}

/** "woensdag 13 mei 2026 om 10:00" at `at` in `timeZone`. */
export function dutchDateTime(at: number, timeZone: string): string {
  const local = localDateTime(at, timeZone);
  const weekday = WEEKDAYS[weekdayOf(local)] ?? '';
  const month = MONTHS[local.month - 1] ?? '';
  const time = `${String(local.hour).padStart(2, '0')}:${String(local.minute).padStart(2, '0')}`;
  return `${weekday} ${local.day} ${month} ${local.year} om ${time}`;
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
