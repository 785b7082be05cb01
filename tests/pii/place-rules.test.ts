import { describe, expect, it } from 'vitest';
import { found, foundOfType } from './found.js';

describe('POSTCODE', () => {
  it('finds Dutch postcodes with and without the space, in either case', () => {
    expect(foundOfType('1234 AB', 'POSTCODE')).toEqual(['1234 AB']);
    expect(foundOfType('ik woon 1234ab', 'POSTCODE')).toEqual(['1234ab']);
  });

  it('does not take a year or an amount followed by a two-letter word for a postcode', () => {
    for (const text of ['in 2010 en 2011', 'sinds 2019 op school', '1000 km gefietst', 'in 2023 ik was']) {
      expect(foundOfType(text, 'POSTCODE')).toEqual([]);
    }
  });

  it('finds a Belgian postcode introduced as a place or as a postcode', () => {
    expect(found('ik woon in 9000 gent')).toEqual([['POSTCODE', '9000'], ['PLACE', 'gent']]);
    expect(found('2000 Antwerpen')).toEqual([['POSTCODE', '2000'], ['PLACE', 'Antwerpen']]);
    expect(foundOfType('postcode 3000', 'POSTCODE')).toEqual(['3000']);
  });

  it('does not take a plain four-digit number for a Belgian postcode', () => {
    expect(foundOfType('ik heb 2000 Pokémonkaarten en 3000 volgers', 'POSTCODE')).toEqual([]);
  });
});

describe('ADDRESS', () => {
  it.each([
    ['Kerkstraat 12', 'Kerkstraat 12'],
    ['ik woon op de dorpsweg 4a', 'dorpsweg 4a'],
    ['Lange Nieuwstraat 101 bus 3', 'Lange Nieuwstraat 101 bus 3'],
    ['op de Kortrijksesteenweg 45', 'Kortrijksesteenweg 45'],
    ['Frankrijklei 12', 'Frankrijklei 12'],
    ['Oude Gracht 140', 'Oude Gracht 140'],
    ['de Lindenlaan 23-2', 'Lindenlaan 23-2'],
  ])('finds the street and number in "%s"', (text, address) => {
    expect(foundOfType(text, 'ADDRESS')).toEqual([address]);
  });

  it('does not take a word ending in a street suffix plus a count for an address', () => {
    for (const text of ['ik ben onderweg 2 minuten', 'ik was in het pretpark 3 keer', 'de snelweg 2 uur dicht', 'ik ben weg 5 dagen']) {
      expect(foundOfType(text, 'ADDRESS')).toEqual([]);
    }
  });
});

describe('PLACE', () => {
  it('finds a place after "woon in", "uit" and "in", including names of more than one word', () => {
    expect(foundOfType('ik woon in Zwolle', 'PLACE')).toEqual(['Zwolle']);
    expect(foundOfType('ik kom uit Gent', 'PLACE')).toEqual(['Gent']);
    expect(foundOfType('in Sint-Niklaas', 'PLACE')).toEqual(['Sint-Niklaas']);
    expect(foundOfType('we wonen in bergen op zoom', 'PLACE')).toEqual(['bergen op zoom']);
  });

  it('reads any word after "ik woon in" as a place, unless it is an everyday word', () => {
    expect(foundOfType('ik woon in Lutjewinkel', 'PLACE')).toEqual(['Lutjewinkel']);
    expect(foundOfType('ik woon in een flat', 'PLACE')).toEqual([]);
    expect(foundOfType('ik kom uit school', 'PLACE')).toEqual([]);
  });

  it('needs a cue or a capital for a place that is also a word ("boom", "mol", "geel")', () => {
    expect(foundOfType('hij klom in de boom en de mol was geel', 'PLACE')).toEqual([]);
    expect(foundOfType('ik woon in boom', 'PLACE')).toEqual(['boom']);
  });
});
