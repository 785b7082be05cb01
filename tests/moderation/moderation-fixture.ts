import { randomUUID } from 'node:crypto';
import type { ContactReference, StationContactView } from '../../src/contacts/contact-view.js';
import type { GivenModeration, ModerationActor, ModerationResult } from '../../src/moderation/index.js';
import { deskFixture, presentation, type DeskFixture, type DeskFixtureOptions } from '../contacts/desk-fixture.js';

export const CALLER = '0612345678';
export const OTHER_CALLER = '0687654321';
export const STATION: ModerationActor = { stationId: 'desk-1' };
export const COORDINATOR: ModerationActor = { accountId: 'anna', role: 'coordinator' };
export const REASON = 'scheldt vrijwilligers steeds opnieuw uit';

export interface OfferedContact {
  readonly view: StationContactView;
  readonly reference: ContactReference;
  /** Ends the call now (or at `at`), as the line would. */
  end(at?: number): void;
}

export interface ModerationFixture extends DeskFixture {
  /** Offers a call at the clock's time and keeps its line call id so the test can end it. */
  offer(numberText: string): OfferedContact;
  /** Offers a call from the number, gives its caller a Time Out from desk-1 and ends the call. */
  timeOutAt(at: Date | number, numberText?: string): GivenModeration;
}

export function moderationFixture(start: Date | string, options: DeskFixtureOptions = {}): ModerationFixture {
  const desk = deskFixture(typeof start === 'string' ? new Date(start) : start, 'Europe/Amsterdam', options);
  const offer = (numberText: string): OfferedContact => {
    const lineCallId = randomUUID();
    const view = desk.desk.offerCall({ lineCallId, caller: presentation(numberText), offeredAt: desk.clock.now() });
    return { view, reference: view.reference, end: (at = desk.clock.now()) => desk.desk.endCall(lineCallId, at) };
  };
  return {
    ...desk,
    offer,
    timeOutAt(at, numberText = CALLER) {
      desk.clock.set(at);
      const contact = offer(numberText);
      const given = valueOf(desk.moderation.giveTimeOut(STATION, contact.reference));
      contact.end();
      return given;
    },
  };
}

export function valueOf<T>(result: ModerationResult<T>): T {
  if (!result.ok) throw new Error(`refused: ${result.refusal} (${result.code}): ${result.message}`);
  return result.value;
}

/** An instant written as Amsterdam wall time with its offset, e.g. at('2026-03-28T12:00+01:00'). */
export function at(text: string): number {
  return new Date(text).getTime();
}
