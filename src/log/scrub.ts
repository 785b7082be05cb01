/**
 * Last line of defence for text that reaches a log or an error. Every run of nine or more digits
 * (allowing the separators people write numbers with) and anything shaped like an e-mail address is
 * replaced. Raw identifiers already refuse to print; this catches text that came straight off a
 * wire, such as a garbled modem line.
 */
// Up to two separators between digits: "(06) 41729358" and "+31 (0)6 …" are numbers too.
const DIGIT_RUN = /\+?\d(?:[\s().\-/]{0,2}\d){8,}/g;
/**
 * The look-behind lets a match start only where a run of address characters starts. Without it,
 * each position inside a long run without "@" rescanned the rest of the run: 100 kB of text took
 * 20 s (found by fuzzing the collector's intake). A match never starts mid-run anyway: the run's
 * start would have matched first.
 */
const EMAIL = /(?<![^\s@<>"'])[^\s@<>"']+@[^\s@<>"']+\.[a-z]{2,}/gi;

export function scrubIdentifiers(text: string): string {
  return text.replace(EMAIL, '[e-mail removed]').replace(DIGIT_RUN, '[number removed]');
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
