import { describe, expect, it } from 'vitest';
import { deidentifyLines, REMOVED, StandIns } from '../../src/transcripts/index.js';

describe('stand-ins for a training fragment (P9)', () => {
  it('gives the same name, place, date and age the same stand-in throughout one fragment, and different ones different stand-ins', () => {
    const draft = deidentifyLines([
      { author: 'caller', text: 'Hoi, ik ben Sanne en ik ben 14 jaar.' },
      { author: 'volunteer', text: 'Dag Sanne. Waar woon je?' },
      { author: 'caller', text: 'In Gent. Mijn vriendin Lotte woont ook in Gent, en haar broer in Brugge.' },
      { author: 'caller', text: 'Op 12 maart ben ik jarig, dan word ik 15. Lotte en sanne gaan dan naar Brugge.' },
    ]);
    expect(draft.text).toBe(
      [
        'Chatter: Hoi, ik ben Sam en ik ben leeftijd A.',
        'Vrijwilliger: Dag Sam. Waar woon je?',
        'Chatter: In Plaats A. Mijn vriendin Robin woont ook in Plaats A, en haar broer in Plaats B.',
        'Chatter: Op datum 1 ben ik jarig, dan word ik leeftijd B. Robin en Sam gaan dan naar Plaats B.',
      ].join('\n'),
    );
    expect(draft.replaced).toEqual({ names: 2, places: 2, dates: 1, ages: 2, removed: 0 });
  });

  it('removes phone numbers and e-mail addresses as [verwijderd], and treats @handle and name as the same person', () => {
    const draft = deidentifyLines([{ author: 'caller', text: 'Bel me op 0470 12 34 56 of mail sanne@example.be. Mijn insta is @Sanne, Sanne dus.' }]);
    expect(draft.text).toBe(`Chatter: Bel me op ${REMOVED} of mail ${REMOVED}. Mijn insta is Sam, Sam dus.`);
    expect(draft.text).not.toMatch(/0470|example|sanne/i);
    expect(draft.replaced.removed).toBe(2);
  });

  it('never hands out a stand-in name that already occurs in the picked lines, so two people do not merge', () => {
    const draft = deidentifyLines([{ author: 'caller', text: 'Sanne zei tegen Lotte dat Sam gemeen is.' }]);
    // "Sam" is in the chat (undetected or not), so Sanne and Lotte get the next names in the list.
    expect(draft.text).not.toMatch(/Sanne|Lotte/);
    expect(draft.text.match(/\bSam\b/g)?.length).toBe(1);
  });

  it('starts afresh for every fragment: stand-ins say nothing across fragments', () => {
    const first = new StandIns('');
    const second = new StandIns('');
    expect(first.for('NAME', 'Sanne')).toBe('Sam');
    expect(first.for('NAME', 'Lotte')).toBe('Robin');
    expect(second.for('NAME', 'Lotte')).toBe('Sam');
  });

  it('goes on past the last letter and the last name instead of repeating a stand-in', () => {
    const standIns = new StandIns('');
    const places = Array.from({ length: 28 }, (_, i) => standIns.for('PLACE', `Dorp${i}`));
    expect(places.slice(24)).toEqual(['Plaats Y', 'Plaats Z', 'Plaats AA', 'Plaats AB']);
    const names = Array.from({ length: 22 }, (_, i) => standIns.for('NAME', `Naam${i}`));
    expect(new Set(names).size).toBe(22);
    expect(names.at(-1)).toBe('Persoon 22');
  });
});
