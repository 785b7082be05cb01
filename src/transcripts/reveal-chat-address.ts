import { canonicalText } from '../privacy/raw-identifier.js';
import type { SealedIdentifier } from '../privacy/types.js';
import type { Vault } from '../privacy/vault.js';
import type { MonthEpoch } from '../time/month-epoch.js';

/**
 * A closed chat's IP address as text, for the coordinator who asked to see it (BE: "Enkel de
 * coördinatoren van Lumi kunnen dit na afloop van het chatgesprek zien"). The only place in
 * transcripts/ that opens a chat's sealed address; TranscriptReader decides whether it may, audits
 * it, and hands the text straight to the page: never to a log line, an error or an audit entry.
 * Undefined when that month's chat-ip key is gone or the box does not open.
 */
export function revealChatAddress(vault: Vault, sealed: SealedIdentifier, epoch: MonthEpoch): string | undefined {
  const address = vault.unseal(sealed, 'chat-ip', epoch, 'ip');
  return address === undefined ? undefined : canonicalText(address);
}
