/**
 * Last line of defence for text that reaches a log or an error. Every run of nine or more digits
 * (allowing the separators people write numbers with) and anything shaped like an e-mail address is
 * replaced. Raw identifiers already refuse to print; this catches text that came straight off a
 * wire, such as a garbled modem line.
 */
const DIGIT_RUN = /\+?\d(?:[\s().\-/]?\d){8,}/g;
const EMAIL = /[^\s@<>"']+@[^\s@<>"']+\.[a-z]{2,}/gi;

export function scrubIdentifiers(text: string): string {
  return text.replace(EMAIL, '[e-mail removed]').replace(DIGIT_RUN, '[number removed]');
}
