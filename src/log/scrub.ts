/**
 * Last line of defence for text that reaches a log or an error. Every run of nine or more digits
 * (allowing the separators people write numbers with) and anything shaped like an e-mail address is
 * replaced. Raw identifiers already refuse to print; this catches text that came straight off a
 * wire, such as a garbled modem line.
 */
// Up to two separators between digits: "(06) 41729358" and "+31 (0)6 …" are numbers too.
const DIGIT_RUN = /\+?\d(?:[\s().\-/]{0,2}\d){8,}/g;
const ADDRESS = String.raw`[^\s@<>"']+@[^\s@<>"']+\.[a-z]{2,}`;
/**
 * An address starting where a run of address characters starts. A plain global search started an
 * attempt at every position of a long run without "@", each rescanning the rest of the run: 100 kB
 * took 20 s (found by fuzzing the collector's intake).
 */
const EMAIL_AT_RUN_START = new RegExp(`(?<![^\\s@<>"'])${ADDRESS}`, 'gi');
/** An address starting right where the previous one ended, mid-run, as the plain search found it too. */
const EMAIL_RIGHT_HERE = new RegExp(ADDRESS, 'iy');

/**
 * The same replacements as `text.replace(/[^\s@<>"']+@[^\s@<>"']+\.[a-z]{2,}/gi, …)` in linear
 * time: within a run, once an attempt fails every later start up to the next "@" fails the same way,
 * so only run starts and the end of the previous match need trying.
 */
function scrubEmails(text: string): string {
  let out = '';
  let from = 0;
  for (;;) {
    EMAIL_RIGHT_HERE.lastIndex = from;
    let match = from > 0 ? EMAIL_RIGHT_HERE.exec(text) : null;
    if (!match) {
      EMAIL_AT_RUN_START.lastIndex = from;
      match = EMAIL_AT_RUN_START.exec(text);
    }
    if (!match) return out + text.slice(from);
    out += `${text.slice(from, match.index)}[e-mail removed]`;
    from = match.index + match[0].length;
  }
}

export function scrubIdentifiers(text: string): string {
  return scrubEmails(text).replace(DIGIT_RUN, '[number removed]');
}

const IPV4 = /\b\d{1,3}(?:\.\d{1,3}){3}\b/;
const IPV6 = /\b[0-9a-f]{1,4}(?::[0-9a-f]{0,4}){2,7}\b/i;

/**
 * True when free text written by a person (an incident summary, an audit detail) holds anything
 * shaped like a phone number, e-mail or IP address. Such text is refused rather than scrubbed:
 * the writer should say it without the identifier.
 */
export function looksLikeIdentifier(text: string): boolean {
  return scrubIdentifiers(text) !== text || IPV4.test(text) || IPV6.test(text);
}
