/**
 * What a desk phone's display shows for a call: whether the caller is known and how often they
 * called before, in Dutch, ASCII only (many desk phones render nothing else in a display name).
 * Built from the intake's count alone: no header of the trunk's INVITE is read here.
 */

export interface DeskPresentationInput {
  readonly priorContacts: number;
  readonly callerKnown: boolean;
  /** False while a fault stops intake: the count is unknown, which is not the same as a first contact. */
  readonly recorded?: boolean;
}

export function deskDisplayText({ priorContacts, callerKnown, recorded }: DeskPresentationInput): string {
  if (recorded === false) return 'Aantal onbekend (storing)';
  if (!callerKnown) return 'Nummer afgeschermd';
  const count = Number.isInteger(priorContacts) && priorContacts > 0 ? priorContacts : 0;
  if (count === 0) return 'Eerste contact';
  return `Bekende beller, ${count} ${count === 1 ? 'eerder contact' : 'eerdere contacten'}`;
}

/** The supervisor phone's display during listen-along: the station, never the caller. */
export function listenAlongDisplayText(stationId: string | null): string {
  const station = stationId === null ? '' : ` ${asciiOnly(stationId)}`;
  return `Meeluisteren${station}`.slice(0, 64);
}

/** Printable ASCII without quotes or backslashes, so the display name needs no escaping. */
export function asciiOnly(text: string): string {
  return text.normalize('NFKD').replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '');
}
