import { assertAuditEntry } from '../audit/audit-entry.js';

const MAX_RECIPIENT = 120;

/**
 * Why `--recipient` cannot be recorded, or undefined when it can. It lands in the audit log, which
 * outlives every contact, so it must pass the log's identifier checks: an organisation and a
 * person's name, not an e-mail address or a phone number.
 */
export function recipientProblem(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed.length < 2 || trimmed.length > MAX_RECIPIENT) return `--recipient must be 2 to ${MAX_RECIPIENT} characters`;
  if (/[\p{Cc}\p{Cf}]/u.test(trimmed)) return '--recipient must be one line of plain text';
  try {
    assertAuditEntry({ actorRole: 'system', actorId: 'command-line', action: 'export.written', details: { recipient: trimmed } });
  } catch {
    return '--recipient must not hold an e-mail address, phone number or IP address: name the organisation and the person';
  }
  return undefined;
}
