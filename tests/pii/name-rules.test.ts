import { describe, expect, it } from 'vitest';
import { foundOfType } from './found.js';

describe('NAME', () => {
  it.each([
    ['ik heet Sanne', 'Sanne'],
    ['ik heet pietje', 'pietje'],
    ['mijn naam is Jan de Vries', 'Jan de Vries'],
    ['mijn naam is jan de vries', 'jan de vries'],
    ['mijn broer Daan', 'Daan'],
    ['mijn broer daan', 'daan'],
    ['ik speel met Emma', 'Emma'],
    ['juf Annemiek', 'Annemiek'],
    ['mijn beste vriendin fenna', 'fenna'],
  ])('finds the name in "%s"', (text, name) => {
    expect(foundOfType(text, 'NAME')).toEqual([name]);
  });

  it('does not take the word after a cue for a name when it is an everyday word', () => {
    for (const text of ['ik ben bang', 'mijn broer is gemeen', 'met mama', 'met kerst', 'ik speel met de hond', 'ze noemen me een loser']) {
      expect(foundOfType(text, 'NAME')).toEqual([]);
    }
  });
});

describe('ORG', () => {
  it.each([
    ['ik zit op het Stedelijk Gymnasium', 'Stedelijk Gymnasium'],
    ['ik zit op het stedelijk gymnasium', 'stedelijk gymnasium'],
    ['ik zit op De Regenboog', 'De Regenboog'],
    ['ik voetbal bij VV Oranje', 'VV Oranje'],
    ['mijn club is KFC Merelbeke', 'KFC Merelbeke'],
    ['mijn club is kfc merelbeke', 'kfc merelbeke'],
    ['ik zit op het Sint-Lievenscollege', 'Sint-Lievenscollege'],
    ['op basisschool de regenboog', 'regenboog'],
  ])('finds the school or club in "%s"', (text, org) => {
    expect(foundOfType(text, 'ORG')).toEqual([org]);
  });

  it('does not take a kind of school, a sport or a room for a school', () => {
    for (const text of ['ik zit op de havo', 'ik zit op de middelbare school', 'ik zit op voetbal', 'ik zit op mijn kamer', 'ik zit op de bank', 'ik ga naar de basisschool']) {
      expect(foundOfType(text, 'ORG')).toEqual([]);
    }
  });
});
