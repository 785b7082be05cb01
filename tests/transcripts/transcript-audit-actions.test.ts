import { describe, expect, it } from 'vitest';
import { isAuditAction } from '../../src/audit/index.js';
import { TRANSCRIPT_AUDIT_ACTIONS } from '../../src/transcripts/index.js';

describe('the audit actions of chat transcripts', () => {
  // Until src/audit/audit-entry.ts lists them, the AuditLog refuses every transcript read, reveal
  // and fragment: TranscriptDesk cannot be wired to it, and this test says so.
  it('are all known to the audit log, so AuditLog can record every read, reveal and fragment', () => {
    expect(TRANSCRIPT_AUDIT_ACTIONS.filter((action) => !isAuditAction(action))).toEqual([]);
  });
});
