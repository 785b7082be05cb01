import { describe, expect, it } from 'vitest';
import { blockedMessage, queueMessage, spokenInstant, timeOutMessage } from '../../src/media/prompt-messages.js';

const AMSTERDAM = 'Europe/Amsterdam';
const at = (iso: string): number => Date.parse(iso);

describe('spoken dates and times', () => {
  it('says "dinsdag 3 maart om 14 uur 30" for 14:30 CET (13:30 UTC)', () => {
    expect(spokenInstant(at('2026-03-03T13:30:00Z'), AMSTERDAM)).toEqual(['dinsdag', 'getal-3', 'maart', 'om', 'getal-14', 'uur', 'getal-30']);
  });

  it('says the summer-time hour in CEST (UTC+2) and leaves out zero minutes', () => {
    expect(spokenInstant(at('2026-07-15T12:00:00Z'), AMSTERDAM)).toEqual(['woensdag', 'getal-15', 'juli', 'om', 'getal-14', 'uur']);
  });

  it('jumps from 1:59 CET to 3:00 CEST on the last Sunday of March', () => {
    expect(spokenInstant(at('2026-03-29T00:59:00Z'), AMSTERDAM)).toEqual(['zondag', 'getal-29', 'maart', 'om', 'getal-1', 'uur', 'getal-59']);
    expect(spokenInstant(at('2026-03-29T01:00:00Z'), AMSTERDAM)).toEqual(['zondag', 'getal-29', 'maart', 'om', 'getal-3', 'uur']);
  });

  it('says 2:30 twice on the last Sunday of October, once in CEST and once in CET', () => {
    const expected = ['zondag', 'getal-25', 'oktober', 'om', 'getal-2', 'uur', 'getal-30'];
    expect(spokenInstant(at('2026-10-25T00:30:00Z'), AMSTERDAM)).toEqual(expected);
    expect(spokenInstant(at('2026-10-25T01:30:00Z'), AMSTERDAM)).toEqual(expected);
  });

  it('rounds up to the next minute, across midnight and the year when it must', () => {
    expect(spokenInstant(at('2026-03-03T13:29:30Z'), AMSTERDAM)).toEqual(['dinsdag', 'getal-3', 'maart', 'om', 'getal-14', 'uur', 'getal-30']);
    expect(spokenInstant(at('2026-12-31T22:59:45Z'), AMSTERDAM)).toEqual(['vrijdag', 'getal-1', 'januari', 'om', 'getal-0', 'uur']);
  });

  it('uses the site\'s own zone (Brussels)', () => {
    expect(spokenInstant(at('2026-06-01T06:05:00Z'), 'Europe/Brussels')).toEqual(['maandag', 'getal-1', 'juni', 'om', 'getal-8', 'uur', 'getal-5']);
  });

  it('wraps the date in the Time Out and block sentences', () => {
    const until = at('2026-03-03T13:30:00Z');
    expect(timeOutMessage(until, AMSTERDAM)).toEqual(['time-out-tot', ...spokenInstant(until, AMSTERDAM), 'daarna-weer-bellen']);
    expect(blockedMessage(until, AMSTERDAM)).toEqual(['geblokkeerd-tot', ...spokenInstant(until, AMSTERDAM), 'daarna-weer-bellen']);
  });
});

describe('the queue message', () => {
  it('says only that everyone is busy when there is no estimate', () => {
    expect(queueMessage(undefined)).toEqual(['alle-vrijwilligers-in-gesprek']);
    expect(queueMessage(Number.NaN)).toEqual(['alle-vrijwilligers-in-gesprek']);
  });

  it('rounds the wait up to whole minutes, at least one, singular for one', () => {
    expect(queueMessage(0.2)).toEqual(['alle-vrijwilligers-in-gesprek', 'verwachte-wachttijd', 'getal-1', 'minuut']);
    expect(queueMessage(3.1)).toEqual(['alle-vrijwilligers-in-gesprek', 'verwachte-wachttijd', 'getal-4', 'minuten']);
    expect(queueMessage(59)).toEqual(['alle-vrijwilligers-in-gesprek', 'verwachte-wachttijd', 'getal-59', 'minuten']);
  });

  it('says "langer dan een uur" past 59 minutes', () => {
    expect(queueMessage(75)).toEqual(['alle-vrijwilligers-in-gesprek', 'wachttijd-langer-dan-een-uur']);
  });
});
