/** What the rule files share: word tokens for the cue-based rules, and regex matches to spans. */
import { COMMON_WORDS } from './common-words.js';
import type { PiiSpan, PiiType } from './pii-types.js';

export interface Token {
  readonly text: string;
  /** Lower case, hyphens and apostrophes as spaces: "Sint-Niklaas" -> "sint niklaas". */
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly capitalized: boolean;
  /** A "[TYPE]" left by an earlier redaction: never a candidate, and it breaks every phrase. */
  readonly placeholder: boolean;
  /** What lies between the previous token and this one. */
  readonly gapBefore: string;
}

// Words are letters and digits joined by single hyphens or apostrophes; the separator is
// required between repetitions, so a long run cannot backtrack.
const TOKEN = /\[[A-Z]{2,8}\]|[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let previousEnd = 0;
  for (const match of text.matchAll(TOKEN)) {
    const start = match.index;
    const word = match[0];
    tokens.push({
      text: word,
      key: word.toLowerCase().replace(/['’-]/g, ' '),
      start,
      end: start + word.length,
      capitalized: /^\p{Lu}/u.test(word),
      placeholder: word.startsWith('['),
      gapBefore: text.slice(previousEnd, start),
    });
    previousEnd = start + word.length;
  }
  return tokens;
}

/** A sentence ends (or a redaction sits) between two tokens. */
export function isBreak(gap: string): boolean {
  return /[.!?;\n]/.test(gap);
}

/** The token only continues a phrase when nothing but spaces (or one hyphen) separates it. */
export function joinsPhrase(token: Token): boolean {
  return !token.placeholder && /^[ \t]{1,3}$|^-$/.test(token.gapBefore);
}

/** The lower-case words before token `index`, nearest last, stopping at a sentence break. */
export function wordsBefore(tokens: readonly Token[], index: number, count: number): string[] {
  const words: string[] = [];
  for (let at = index - 1; at >= 0 && words.length < count; at -= 1) {
    const next = tokens[at + 1];
    const token = tokens[at];
    if (token === undefined || next === undefined || token.placeholder || isBreak(next.gapBefore)) break;
    words.unshift(token.key);
  }
  return words;
}

/** A word that could be a name: starts with a letter, two or more characters, not an everyday word. */
export function isNameLike(token: Token | undefined): token is Token {
  return token !== undefined && !token.placeholder && /^\p{L}/u.test(token.text) && token.text.length >= 2 && !COMMON_WORDS.has(token.key);
}

/** Capitalized words continuing a place or a name: "Sint Anna Parochie", "Alphen aan den Rijn". */
export function capitalizedRun(tokens: readonly Token[], index: number, connectors: ReadonlySet<string>, accept: (token: Token) => boolean = isNameLike): number {
  let last = index;
  for (let at = index + 1; at < tokens.length && at <= index + 4; at += 1) {
    const token = tokens[at];
    if (token === undefined || !joinsPhrase(token)) break;
    if (token.capitalized && accept(token)) last = at;
    else if (!connectors.has(token.key)) break;
  }
  return last;
}

/** Every match of a global regex as a span of `type`; `group` names a capture group (needs the `d` flag). */
export function regexSpans(text: string, pattern: RegExp, type: PiiType, accept: (match: RegExpExecArray) => boolean = () => true, group?: string): PiiSpan[] {
  const spans: PiiSpan[] = [];
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    if (match[0].length === 0) pattern.lastIndex += 1;
    if (!accept(match)) continue;
    const range: readonly [number, number] | undefined = group === undefined ? [match.index, match.index + match[0].length] : match.indices?.groups?.[group];
    if (range !== undefined && range[1] > range[0]) spans.push({ type, start: range[0], end: range[1] });
  }
  return spans;
}

/** Letters and digits on either side: used as `${B}` … `${E}` in rule sources (\b is ASCII-only). */
export const B = '(?<![\\p{L}\\p{N}_])';
export const E = '(?![\\p{L}\\p{N}_])';
