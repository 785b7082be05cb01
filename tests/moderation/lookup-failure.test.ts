import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ContactDesk, type CallerModeration } from '../../src/contacts/contact-desk.js';
import { mayRoute, type ModerationLookupFailure, type StationContactView } from '../../src/contacts/contact-view.js';
import { createLogger } from '../../src/log/index.js';
import { createPseudonymizer } from '../../src/privacy/pseudonym.js';
import { categories, presentation } from '../contacts/desk-fixture.js';
import { CALLER, moderationFixture, type ModerationFixture } from './moderation-fixture.js';

let fixture: ModerationFixture | undefined;

afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

/** A moderation store that fails every lookup, as a corrupted index or a bug would. */
function failingModeration(): CallerModeration & { marked: number } {
  const failing = {
    marked: 0,
    statusOf(): never {
      throw new Error('moderation index unreadable');
    },
    follow(): never {
      throw new Error('moderation index unreadable');
    },
    markContact(): void {
      failing.marked += 1;
    },
    markOf(): undefined {
      return undefined;
    },
    giveTimeOut(): never {
      throw new Error('moderation index unreadable');
    },
  };
  return failing;
}

function deskWithFailingLookup(onLookupFailure: ModerationLookupFailure | undefined, logLines: string[]) {
  const f = (fixture = moderationFixture('2026-05-12T10:00:00+02:00'));
  const moderation = failingModeration();
  const desk = new ContactDesk({
    database: f.database,
    contacts: f.contacts,
    registrations: f.registrations,
    pseudonymizer: createPseudonymizer(f.keyring),
    vault: f.vault,
    clock: f.clock,
    timeZone: 'Europe/Amsterdam',
    linkageMonths: 6,
    categories,
    priorContacts: f.priorContacts,
    moderation,
    ...(onLookupFailure === undefined ? {} : { onModerationLookupFailure: onLookupFailure }),
    logger: createLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(line) } }),
  });
  const offer = (numberText: string): StationContactView =>
    desk.offerCall({ lineCallId: randomUUID(), caller: presentation(numberText), offeredAt: f.clock.now() });
  return { f, desk, moderation, offer };
}

describe('when the moderation lookup fails', () => {
  it('routes the call by default (fail-open), records the contact as usual and says the status is unknown', () => {
    const logLines: string[] = [];
    const { f, moderation, offer } = deskWithFailingLookup(undefined, logLines);
    const view = offer(CALLER);
    expect(view.moderation).toEqual({ kind: 'unknown', routing: 'route' });
    expect(mayRoute(view.moderation)).toBe(true);
    expect(f.contacts.findByReference(view.reference)).toMatchObject({ state: 'offered', presentation: 'number' });
    expect(f.contacts.findByReference(view.reference)?.pseudonym).not.toBeNull();
    expect(moderation.marked).toBe(1);
    expect(offer(CALLER).priorContacts).toBe(1);
    const failures = logLines.filter((line) => line.includes('HGW_MODERATION_LOOKUP_FAILED'));
    expect(failures.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toMatch(/612345678/);
  });

  it('refuses the call when the site chose fail-closed, and still records it', () => {
    const { f, offer } = deskWithFailingLookup('refuse', []);
    const view = offer(CALLER);
    expect(view.moderation).toEqual({ kind: 'unknown', routing: 'refuse' });
    expect(mayRoute(view.moderation)).toBe(false);
    expect(f.contacts.findByReference(view.reference)).toBeDefined();
  });

  it('does not ask about a withheld number at all: there is nothing to look up', () => {
    const { offer } = deskWithFailingLookup('refuse', []);
    const view = offer('P');
    expect(view.moderation).toBeNull();
    expect(mayRoute(view.moderation)).toBe(true);
  });
});
