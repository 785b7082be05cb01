/** NAME and ORG: people, schools and sports clubs, found only where the chat introduces them. */
import { COMMON_WORDS, PERSON_WORDS } from './common-words.js';
import { AMBIGUOUS_NAMES, FIRST_NAMES } from './first-names.js';
import type { PiiSpan } from './pii-types.js';
import { AMBIGUOUS_PLACES, PLACE_NAMES } from './place-names.js';
import { capitalizedRun, joinsPhrase, tokenize, wordsBefore, type Token } from './rule-tools.js';

const POSSESSIVES = new Set(['mijn', 'm n', 'mn', 'me', 'zijn', 'z n', 'zn', 'haar', 'd r', 'onze', 'ons', 'je', 'jouw', 'die', 'de', 'hun']);
const SURNAME_PARTICLES = new Set(['van', 'de', 'der', 'den', 'ter', 'ten', 'te', 't', 'in', 'la', 'le', 'el', 'al']);
/** Words between "mijn" and "vriendin": "mijn beste vriendin", "mijn kleine broertje". */
const PERSON_ADJECTIVES = new Set(['beste', 'kleine', 'grote', 'oudere', 'jongere', 'oudste', 'jongste', 'nieuwe', 'oude', 'lieve', 'vorige', 'echte', 'enige']);
const TITLES = new Set(['juf', 'juffrouw', 'meester', 'meneer', 'mevrouw', 'mr', 'mw', 'dhr', 'mevr', 'coach', 'trainer']);

/** strong: "ik heet"; person: "mijn broer"; surname: "mevrouw de" ("Jong" is a word too); weak: "met", "ik ben"; known: "en", "van" (list names only). */
type Cue = 'strong' | 'person' | 'surname' | 'weak' | 'known' | undefined;

/** How sure the words before token `index` make us that it is a name. */
function nameCue(tokens: readonly Token[], index: number): Cue {
  const words = wordsBefore(tokens, index, 5).filter((word) => !PERSON_ADJECTIVES.has(word));
  const [third, second, last] = [words[words.length - 3], words[words.length - 2], words[words.length - 1]];
  const gap = tokens[index]?.gapBefore ?? '';
  if (last === 'heet' || last === 'heten' || last === 'heette' || last === 'genaamd') return 'strong';
  if (last === 'is' && second === 'naam') return 'strong';
  if (last === 'naam' && gap.includes(':')) return 'strong';
  if (last !== undefined && TITLES.has(last)) return 'person';
  if (last !== undefined && SURNAME_PARTICLES.has(last) && second !== undefined && TITLES.has(second)) return 'surname';
  if (last !== undefined && PERSON_WORDS.has(last) && second !== undefined && POSSESSIVES.has(second)) return 'person';
  // "mijn broer heet" is caught above; "mijn vriendin is Emma" needs the capital.
  if ((last === 'is' || last === 'heet') && second !== undefined && PERSON_WORDS.has(second) && third !== undefined && POSSESSIVES.has(third)) return 'person';
  if ((last === 'ben' || last === 'bn') && (second === 'ik' || second === 'k')) return 'weak';
  if (last === 'met') return 'weak';
  if (last === 'en' || last === 'van' || last === 'tegen' || last === 'aan' || last === 'bij') return 'known';
  return undefined;
}

function isWord(token: Token | undefined): token is Token {
  return token !== undefined && !token.placeholder && /^\p{L}[\p{L}'’-]*$/u.test(token.text) && token.text.length >= 2;
}

function acceptsName(token: Token, cue: Cue, index: number): boolean {
  if (cue === 'surname') return isWord(token) && token.capitalized;
  if (!isWord(token) || COMMON_WORDS.has(token.key) || PERSON_WORDS.has(token.key)) return false;
  const known = FIRST_NAMES.has(token.key);
  const place = PLACE_NAMES.has(token.key) && !AMBIGUOUS_PLACES.has(token.key);
  if (cue === 'strong') return true;
  if (cue === 'person') return known || token.capitalized;
  if (cue === 'known') return known && !AMBIGUOUS_NAMES.has(token.key);
  if (cue === 'weak') return (known && !AMBIGUOUS_NAMES.has(token.key)) || (token.capitalized && !place && index > 0);
  // On its own: a capitalized first name from the list.
  return known && token.capitalized && !AMBIGUOUS_NAMES.has(token.key);
}

/** The last token of the name starting at `index`: "Jan de Vries", "sanne van dijk" after a strong cue. */
function surnameEnd(tokens: readonly Token[], index: number, cue: Cue): number {
  let at = index + 1;
  while (at < tokens.length && at <= index + 3 && joinsPhrase(tokens[at] as Token) && SURNAME_PARTICLES.has((tokens[at] as Token).key)) at += 1;
  const surname = tokens[at];
  if (!isWord(surname) || !joinsPhrase(surname) || (COMMON_WORDS.has(surname.key) && at === index + 1)) return index;
  if (surname.capitalized && !COMMON_WORDS.has(surname.key)) return at;
  if (cue === 'strong' && at > index + 1 && !COMMON_WORDS.has(surname.key)) return at;
  return index;
}

function nameSpans(tokens: readonly Token[]): PiiSpan[] {
  const spans: PiiSpan[] = [];
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index];
    if (token === undefined) continue;
    const cue = nameCue(tokens, index);
    if (!acceptsName(token, cue, index)) continue;
    const last = tokens[surnameEnd(tokens, index, cue)] ?? token;
    spans.push({ type: 'NAME', start: token.start, end: last.end });
  }
  return spans;
}

/** Words that make a school's name ("Sint-Lievenscollege", "basisschool De Regenboog"). */
const SCHOOL_WORD = /(?:school|college|lyceum|atheneum|gymnasium|instituut|academie|campus|scholengemeenschap|seminarie)$/;
/** School words that name a kind of school, not one school. */
const GENERIC_SCHOOL = new Set(['school', 'basisschool', 'middelbare', 'lagere', 'secundaire', 'college', 'lyceum', 'atheneum', 'gymnasium', 'instituut', 'academie', 'campus', 'scholengemeenschap', 'katholieke', 'openbare', 'christelijke', 'islamitische', 'protestantse', 'montessori', 'dalton', 'jenaplan', 'vrije', 'havo', 'vwo', 'mavo', 'vmbo', 'praktijkschool', 'kunstschool', 'muziekschool', 'dansschool', 'zwemschool', 'rijschool', 'bijles', 'nieuwe', 'andere', 'zelfde', 'hele', 'internationale', 'tweetalige']);
const CLUB_PREFIXES = new Set(['vv', 'sv', 'fc', 'kfc', 'ksv', 'rsc', 'kv', 'hc', 'mhc', 'hv', 'zv', 'krc', 'kaa', 'sc', 'afc', 'rksv', 'vc', 'bc', 'tc', 'ksk', 'kvc', 'rc', 'rfc', 'sk', 'kvk', 'ltc', 'ktc', 'kv', 'dvs', 'vvv', 'hsv', 'avv', 'zwemclub', 'voetbalclub', 'hockeyclub', 'tennisclub', 'turnclub', 'dansschool', 'judoclub', 'korfbalclub', 'scouting', 'chiro', 'ksa', 'kla']);
const SCHOOL_VERBS = new Set(['zit', 'zat', 'ga', 'ging', 'zitten', 'zaten', 'gaan', 'gaat', 'zitten']);
const CLUB_VERBS = new Set(['voetbal', 'hockey', 'zwem', 'tennis', 'turn', 'dans', 'korfbal', 'handbal', 'basketbal', 'volleybal', 'train', 'speel', 'sport', 'zit', 'zat', 'ga', 'ging', 'lid']);
const ORG_INTROS = new Set(['club', 'team', 'vereniging', 'ploeg', 'school', 'clubje']);
const ARTICLES = new Set(['de', 'het', 't']);
/** "basisschool De Regenboog", "obs de linde": the name follows the kind of school. */
const NAMED_AFTER = new Set(['basisschool', 'bs', 'obs', 'cbs', 'kbs', 'rkbs', 'vbs', 'gbs', 'sbs', 'scholengemeenschap']);
const ORG_CONNECTORS = new Set(['van', 'de', 'der', 'den', 'het', 't', 'voor', 'aan', 'en']);

function isSchoolWord(token: Token | undefined): boolean {
  return token !== undefined && SCHOOL_WORD.test(token.key) && !GENERIC_SCHOOL.has(token.key);
}

/** Where an organisation's name starts after its cue, and how sure the cue is. */
function orgCue(tokens: readonly Token[], index: number): 'school' | 'club' | 'named' | undefined {
  const words = wordsBefore(tokens, index, 4);
  if (ARTICLES.has(words[words.length - 1] ?? '')) words.pop();
  const last = words[words.length - 1];
  const second = words[words.length - 2];
  if (last === 'op' || last === 'naar') return second !== undefined && SCHOOL_VERBS.has(second) ? 'school' : undefined;
  if (last === 'bij') return second !== undefined && CLUB_VERBS.has(second) ? 'club' : undefined;
  if (last === 'is' && second !== undefined && ORG_INTROS.has(second)) return 'named';
  if (last !== undefined && NAMED_AFTER.has(last)) return 'named';
  return undefined;
}

/** A word that can be part of an organisation's name: "Vrije School Zeist", "Rood Wit". */
function isOrgWord(token: Token): boolean {
  return isWord(token) && (!COMMON_WORDS.has(token.key) || SCHOOL_WORD.test(token.key));
}

/** The last token of an organisation's name starting at `index`, or undefined. */
function orgEnd(tokens: readonly Token[], index: number): number | undefined {
  const token = tokens[index];
  if (!isWord(token)) return undefined;
  const next = tokens[index + 1];
  const nextJoins = next !== undefined && joinsPhrase(next) && isWord(next);
  const run = (): number => capitalizedRun(tokens, index, ORG_CONNECTORS, isOrgWord);
  if (CLUB_PREFIXES.has(token.key) && nextJoins && !COMMON_WORDS.has(next.key)) return capitalizedRun(tokens, index + 1, ORG_CONNECTORS, isOrgWord);
  if (isSchoolWord(token)) return index;
  // "Erasmus College", "Atheneum Gentbrugge": a capitalized school word next to a capitalized name.
  if (token.capitalized && nextJoins && next.capitalized) {
    if (!COMMON_WORDS.has(token.key) && SCHOOL_WORD.test(next.key)) return run();
    if (SCHOOL_WORD.test(token.key) && isOrgWord(next) && !FIRST_NAMES.has(next.key)) return run();
  }
  const cue = orgCue(tokens, index);
  if (cue === undefined || FIRST_NAMES.has(token.key)) return undefined;
  if (token.capitalized && (isOrgWord(token) || ARTICLES.has(token.key) || (nextJoins && next.capitalized))) return run();
  if (COMMON_WORDS.has(token.key)) return undefined;
  if (cue === 'named') return index;
  if (cue !== 'school') return undefined;
  // Lower case after "ik zit op" is a school only with a school word right after: "het stedelijk gymnasium".
  return [index + 1, index + 2].find((at) => SCHOOL_WORD.test(tokens[at]?.key ?? '') && tokens.slice(index + 1, at + 1).every(joinsPhrase));
}

function orgSpans(tokens: readonly Token[]): PiiSpan[] {
  const spans: PiiSpan[] = [];
  for (let index = 0; index < tokens.length; index += 1) {
    const last = orgEnd(tokens, index);
    const first = tokens[index];
    const end = last === undefined ? undefined : tokens[last];
    if (first === undefined || end === undefined || last === undefined) continue;
    spans.push({ type: 'ORG', start: first.start, end: end.end });
    index = last;
  }
  return spans;
}

export function nameAndOrgSpans(text: string): PiiSpan[] {
  const tokens = tokenize(text);
  return [...nameSpans(tokens), ...orgSpans(tokens)];
}
