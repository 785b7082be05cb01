import { canonicalText, type RawIdentifier } from '../privacy/raw-identifier.js';

/**
 * The identifier's text for the one person entitled to see it: the caller in their access export,
 * a coordinator on an approved break-glass page. E.164 for a phone number (its canonical form), the
 * canonical address for an IP or e-mail. The only place outside the privacy core that reads it: the
 * result must go straight into that document or page, never into a log, error or audit entry.
 */
export function revealIdentifier(identifier: RawIdentifier): string {
  return canonicalText(identifier);
}
