/** DATE and AGE: a birthday or an age narrows a child down quickly, together with a place or a school. */
import type { PiiSpan } from './pii-types.js';
import { B, E, regexSpans } from './rule-tools.js';

const MONTH =
  'januari|jan|febr|februari|febuari|feb|maart|mrt|april|apr|mei|juni|jun|juli|jul|augustus|agustus|aug|september|sept|sep|oktober|okt|oct|november|nov|december|dec';
const YEAR = `(?:[ ]?(?:'\\d{2}|(?:19|20)\\d{2}))`;
const DAY_MONTH = new RegExp(`(?<![\\p{L}\\p{N}])(?<day>\\d{1,2})(?:e|ste|de)?[ .\\-]?(?:${MONTH})\\.?${E}${YEAR}?(?![\\p{N}])`, 'giud');
const NUMERIC_DATE = /(?<![\p{N}.\-\/])(?<day>\d{1,2})(?<separator>[\-\/.])(?<month>\d{1,2})\k<separator>(?:\d{4}|\d{2})(?![\p{N}]|[.\-\/]\d)/gud;
const ISO_DATE = /(?<![\p{N}.\-\/])(?:19|20)\d{2}-(?<month>\d{2})-(?<day>\d{2})(?![\p{N}])/gud;
const CUE = `${B}(?:verjaardag(?:[ ]is)?|jarig(?:[ ]op)?|geboren(?:[ ]op)?|geb\\.?|geboortedatum(?:[ ]is)?|datum|op|vanaf|sinds|tot)[ ]{1,2}`;
const SHORT_DATE = new RegExp(`${CUE}(?<date>(?<day>\\d{1,2})[\\-\\/.](?<month>\\d{1,2}))(?![\\p{N}]|[.\\-\\/,]\\d)`, 'giud');
const BIRTH_YEAR = new RegExp(`${B}(?:geboren|geb\\.?|geboortejaar(?:[ ]is)?)[ ](?:in[ ])?(?<year>(?:19|20)\\d{2})(?![\\p{N}])`, 'giud');

function isDayMonth(match: RegExpExecArray): boolean {
  const day = Number(match.groups?.['day']);
  const month = match.groups?.['month'] === undefined ? 1 : Number(match.groups['month']);
  return day >= 1 && day <= 31 && month >= 1 && month <= 12;
}

export function dateSpans(text: string): PiiSpan[] {
  return [
    ...regexSpans(text, DAY_MONTH, 'DATE', isDayMonth),
    ...regexSpans(text, NUMERIC_DATE, 'DATE', isDayMonth),
    ...regexSpans(text, ISO_DATE, 'DATE', isDayMonth),
    ...regexSpans(text, SHORT_DATE, 'DATE', isDayMonth, 'date'),
    ...regexSpans(text, BIRTH_YEAR, 'DATE', () => true, 'year'),
  ];
}

/** Ages a child or teenager gives: 4 to 25, in digits or (8 to 20) in words. */
const AGE_VALUE = "(?:(?<![\\p{N}])(?:[4-9]|1\\d|2[0-5])(?![\\p{N}])|(?:acht|negen|tien|elf|twaalf|dertien|veertien|vijftien|zestien|zeventien|achttien|negentien|twintig)(?![\\p{L}]))";
const YEARS = `(?:[ ]?(?:jaar|jr|j)${E}\\.?(?:[ ]oud)?)`;
/** Words after a number that make it a time, an amount or a score, not an age. */
const NOT_AGE =
  "(?![ ]?(?:euro|eur|€|uur|u|min|minuten|minuut|sec|seconden|keer|x|km|kg|cm|m|meter|procent|%|graden|dagen|dag|weken|week|maanden|maand|punten|pnt|cijfers?|kilo|gram|liter|pagina|pagina's|mensen|kinderen|vrienden|tot|t\\/m|of|voor|over|na|ste|geleden|lang|later|terug|(?:jaar|jr)[ ](?:geleden|lang|later|terug)|e|de|[:,.\\/\\-]\\d)(?![\\p{L}]))";
const AGE_CUE =
  "(?:ik[ ]ben|ikben|k[ ]ben|ben|bn|is|was|word|wordt|werd|worden|wordt|zijn|van|leeftijd(?:[ ]is)?:?|age|nu|pas|bijna|net|sinds[ ]kort)";
const FILLER = '(?:(?:ik|al|nu|pas|bijna|net|maar|ook|toen|ongeveer|zo|inmiddels|sinds[ ]kort)[ ])?';
const CUED_AGE = new RegExp(`${B}${AGE_CUE}[ ]{1,2}${FILLER}(?<age>${AGE_VALUE}${YEARS}?)${NOT_AGE}`, 'giud');
const YEARS_OLD = new RegExp(`(?<age>${AGE_VALUE}[ ]?(?:jaar|jr)[ ]oud)${E}`, 'giud');
/** "14 jaar" on its own: teen ages only (a child rarely speaks of ten years or more), and not a duration ("al 12 jaar", "15 jaar geleden"). */
const TEEN_YEARS = new RegExp(
  `(?<!${B}(?:al|sinds|over|voor|na|afgelopen|laatste|ruim|dan|ongeveer|zo'n|de|elke|om)[ ])(?<![\\p{N}])(?<age>(?:1\\d|2[0-5])[ ]?(?:jaar|jr))${E}(?![ ](?:geleden|lang|later|terug|getrouwd|samen|gevangenis|cel)${E})`,
  'giud',
);
const YEARS_OLD_ADJECTIVE = new RegExp(`(?<![\\p{N}])(?<age>(?:[4-9]|1\\d|2[0-5])[ \\-]?jarige?)${E}`, 'giud');

export function ageSpans(text: string): PiiSpan[] {
  return [
    ...regexSpans(text, CUED_AGE, 'AGE', () => true, 'age'),
    ...regexSpans(text, YEARS_OLD, 'AGE', () => true, 'age'),
    ...regexSpans(text, YEARS_OLD_ADJECTIVE, 'AGE', () => true, 'age'),
    ...regexSpans(text, TEEN_YEARS, 'AGE', () => true, 'age'),
  ];
}
