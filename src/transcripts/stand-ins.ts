import { detectPii, type PiiType } from '../pii/index.js';
import type { PickedLine } from './transcript-reader.js';
import type { StandInCounts } from './transcript-types.js';

/**
 * De-identifying a training fragment (BE, P9: "eventuele data, nicknames, locatie en leeftijden
 * aangepast of verwijderd"). Within one fragment the same original always gets the same stand-in,
 * so a reader can still follow who said what about whom:
 * - names and nicknames (NAME, HANDLE; "@sanne" and "Sanne" are one person) → Sam, Robin, Kim, …
 *   (a stand-in that already occurs in the picked text is skipped, so two people never merge);
 * - places (PLACE) → Plaats A, Plaats B, …
 * - dates (DATE) → datum 1, datum 2, …
 * - ages (AGE) → leeftijd A, leeftijd B, … (an age, even shifted, narrows a child down: none is kept);
 * - every other detected detail (phone, e-mail, address, postcode, school, numbers, …) → [verwijderd].
 */

const NAMES = ['Sam', 'Robin', 'Kim', 'Noa', 'Alex', 'Charlie', 'Jamie', 'Lou', 'Mika', 'Ari', 'Quinn', 'Jesse', 'Dani', 'Remi', 'Sasha', 'Jip', 'Nour', 'Wes', 'Bo', 'Luca'];
export const REMOVED = '[verwijderd]';
const AUTHOR_LABELS = { caller: 'Chatter', volunteer: 'Vrijwilliger' } as const;

type StandInFamily = 'person' | 'place' | 'date' | 'age' | 'removed';

const FAMILY: Readonly<Partial<Record<PiiType, StandInFamily>>> = {
  NAME: 'person',
  HANDLE: 'person',
  PLACE: 'place',
  DATE: 'date',
  AGE: 'age',
};

/** A, B, …, Z, AA, AB, …: letters go on past Z rather than repeat. */
function letters(index: number): string {
  let n = index;
  let text = '';
  do {
    text = String.fromCharCode(65 + (n % 26)) + text;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return text;
}

/** The same detail written twice ("Gent", "gent ", "@Sanne") is one detail. */
function keyOf(family: StandInFamily, original: string): string {
  const plain = original.normalize('NFKC').toLocaleLowerCase('nl').replace(/\s+/gu, ' ').trim();
  return `${family}:${family === 'person' ? plain.replace(/^@+/u, '') : plain}`;
}

function occursAsWord(word: string, text: string): boolean {
  return new RegExp(`(?<![\\p{L}\\p{N}])${word}(?![\\p{L}\\p{N}])`, 'iu').test(text);
}

/** One fragment's stand-ins: consistent inside it, unrelated to any other fragment's. */
export class StandIns {
  readonly #byOriginal = new Map<string, string>();
  readonly #issued: Record<Exclude<StandInFamily, 'removed'>, number> = { person: 0, place: 0, date: 0, age: 0 };
  readonly #names: string[];
  #removed = 0;

  /** `pickedText`: every picked line together, so no stand-in name is one already in the chat. */
  constructor(pickedText: string) {
    this.#names = NAMES.filter((name) => !occursAsWord(name, pickedText));
  }

  for(type: PiiType, original: string): string {
    const family = FAMILY[type] ?? 'removed';
    if (family === 'removed') {
      this.#removed += 1;
      return REMOVED;
    }
    const key = keyOf(family, original);
    const known = this.#byOriginal.get(key);
    if (known !== undefined) return known;
    const index = this.#issued[family]++;
    const standIn =
      family === 'person'
        ? (this.#names[index] ?? `Persoon ${index + 1}`)
        : family === 'place'
          ? `Plaats ${letters(index)}`
          : family === 'date'
            ? `datum ${index + 1}`
            : `leeftijd ${letters(index)}`;
    this.#byOriginal.set(key, standIn);
    return standIn;
  }

  /** Distinct details replaced per family, and every removed one. */
  counts(): StandInCounts {
    return { names: this.#issued.person, places: this.#issued.place, dates: this.#issued.date, ages: this.#issued.age, removed: this.#removed };
  }
}

/** One line's text with every detected detail replaced by its stand-in. */
export function replaceDetails(text: string, standIns: StandIns): string {
  let out = '';
  let at = 0;
  for (const span of detectPii(text)) {
    const original = text.slice(span.start, span.end);
    // A span may take the full stop after "14 jaar." with it; the sentence keeps its stop.
    out += text.slice(at, span.start) + standIns.for(span.type, original.replace(/\.$/u, '')) + (original.endsWith('.') ? '.' : '');
    at = span.end;
  }
  return out + text.slice(at);
}

/** The picked lines as a draft fragment, one "Chatter: …" or "Vrijwilliger: …" per line. */
export function deidentifyLines(lines: readonly PickedLine[]): { readonly text: string; readonly replaced: StandInCounts } {
  const standIns = new StandIns(lines.map((line) => line.text).join('\n'));
  // Line breaks inside a line would let it pass for another speaker's line.
  const text = lines.map((line) => `${AUTHOR_LABELS[line.author]}: ${replaceDetails(line.text, standIns).replace(/\s*\n\s*/gu, ' ')}`).join('\n');
  return { text, replaced: standIns.counts() };
}
