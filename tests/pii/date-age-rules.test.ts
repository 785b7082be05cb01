import { describe, expect, it } from 'vitest';
import { foundOfType } from './found.js';

describe('DATE', () => {
  it.each([
    ['jarig op 3 maart', '3 maart'],
    ['geboren 14-02-2011', '14-02-2011'],
    ['sinds 12 okt 2010', '12 okt 2010'],
    ['op 1 januari', '1 januari'],
    ['mijn verjaardag is 5/6', '5/6'],
    ['op 12.03.2024 gebeurd', '12.03.2024'],
    ['op 2011-02-14', '2011-02-14'],
    ["de 3e mei '11", "3e mei '11"],
    ['geboren in 2010', '2010'],
  ])('finds the date in "%s"', (text, date) => {
    expect(foundOfType(text, 'DATE')).toEqual([date]);
  });

  it('does not take scores, grades or impossible day/month pairs for dates', () => {
    for (const text of ['we wonnen 3-1', 'een 5/10 voor wiskunde', 'op 45/13 ofzo', 'om 12.30 uur', 'ik had 3 maar zij 4']) {
      expect(foundOfType(text, 'DATE')).toEqual([]);
    }
  });
});

describe('AGE', () => {
  it.each([
    ['ik ben 14', '14'],
    ['ik ben 14 jaar', '14 jaar'],
    ['bijna 15', '15'],
    ['ben 13 jr', '13 jr'],
    ['een meisje van 16', '16'],
    ['hij is 19', '19'],
    ['meisje 14 jaar uit de stad', '14 jaar'],
    ['ik ben een 12-jarige', '12-jarige'],
    ['ik ben twaalf', 'twaalf'],
  ])('finds the age in "%s"', (text, age) => {
    expect(foundOfType(text, 'AGE')).toEqual([age]);
  });

  it('does not take times, amounts, counts or durations for ages', () => {
    for (const text of ['ik ben 10 minuten te laat', 'het is 12 uur', 'dat is 15 euro', 'ik ben 3 keer gevallen', 'al 12 jaar samen', 'ik ben al 2 jaar bang', '15 jaar geleden', 'ik ben 1 van de 3']) {
      expect(foundOfType(text, 'AGE')).toEqual([]);
    }
  });
});
