/**
 * Every prompt segment the box can say, with the Dutch text scripts/make-prompts.sh speaks for it.
 * The file of a segment is `<id>.wav` in the prompt directory. Numbers go to 59 because the
 * prompts say days (1–31), hours (0–23), minutes (0–59) and short waits.
 */

const PHRASES = {
  'alle-vrijwilligers-in-gesprek': 'Alle vrijwilligers zijn in gesprek.',
  'verwachte-wachttijd': 'De verwachte wachttijd is ongeveer',
  'wachttijd-langer-dan-een-uur': 'De verwachte wachttijd is langer dan een uur.',
  minuten: 'minuten',
  minuut: 'minuut',
  'time-out-tot': 'Je hebt een time-out tot',
  'geblokkeerd-tot': 'Je bent geblokkeerd tot',
  'daarna-weer-bellen': 'Je kunt daarna weer bellen.',
  uur: 'uur',
  om: 'om',
} as const;

export const WEEKDAY_SEGMENTS = ['maandag', 'dinsdag', 'woensdag', 'donderdag', 'vrijdag', 'zaterdag', 'zondag'] as const;
export const MONTH_SEGMENTS = [
  'januari', 'februari', 'maart', 'april', 'mei', 'juni',
  'juli', 'augustus', 'september', 'oktober', 'november', 'december',
] as const;
export const HIGHEST_SPOKEN_NUMBER = 59;

/** Not speech: a soft repeating tone sequence, synthesized by the script. */
export const HOLD_MUSIC_SEGMENT = 'wachtmuziek';

export type PhraseSegment = keyof typeof PHRASES;
export type WeekdaySegment = (typeof WEEKDAY_SEGMENTS)[number];
export type MonthSegment = (typeof MONTH_SEGMENTS)[number];
export type NumberSegment = `getal-${number}`;
export type PromptSegment = PhraseSegment | WeekdaySegment | MonthSegment | NumberSegment | typeof HOLD_MUSIC_SEGMENT;

export function numberSegment(value: number): NumberSegment {
  if (!Number.isInteger(value) || value < 0 || value > HIGHEST_SPOKEN_NUMBER) {
    throw new RangeError(`prompts speak whole numbers 0–${HIGHEST_SPOKEN_NUMBER}, not ${value}`);
  }
  return `getal-${value}`;
}

/** Segment id → the text espeak-ng speaks (undefined for the synthesized hold music). */
export function promptTexts(): ReadonlyMap<PromptSegment, string | undefined> {
  const texts = new Map<PromptSegment, string | undefined>(Object.entries(PHRASES) as Array<[PhraseSegment, string]>);
  for (const day of WEEKDAY_SEGMENTS) texts.set(day, day);
  for (const month of MONTH_SEGMENTS) texts.set(month, month);
  for (let value = 0; value <= HIGHEST_SPOKEN_NUMBER; value++) texts.set(numberSegment(value), String(value));
  texts.set(HOLD_MUSIC_SEGMENT, undefined);
  return texts;
}

/** Every segment, in a stable order. */
export const PROMPT_SEGMENTS: readonly PromptSegment[] = [...promptTexts().keys()];

export function promptFileName(segment: PromptSegment): string {
  return `${segment}.wav`;
}
