import type { GatewayErrorCode } from '../errors.js';
import type { TranscriptRefusal, TranscriptResult } from './transcript-types.js';

/** The code each refusal answers with. */
const REFUSAL_CODES: Readonly<Record<TranscriptRefusal, GatewayErrorCode>> = {
  forbidden: 'HGW_TRANSCRIPT_FORBIDDEN',
  'unknown-chat': 'HGW_CHAT_UNKNOWN_CHAT',
  'chat-open': 'HGW_CHAT_INVALID_STATE',
  'outside-retention': 'HGW_KEY_SHREDDED',
  'no-address': 'HGW_CHAT_NO_ADDRESS',
  'bad-lines': 'HGW_TRANSCRIPT_BAD_SPAN',
  'unknown-draft': 'HGW_FRAGMENT_UNKNOWN',
  'unknown-fragment': 'HGW_FRAGMENT_UNKNOWN',
  'invalid-title': 'HGW_FRAGMENT_INVALID',
  'invalid-text': 'HGW_FRAGMENT_INVALID',
  'holds-pii': 'HGW_FRAGMENT_HOLDS_PII',
};

export type Refused = Extract<TranscriptResult<never>, { ok: false }>;

export function refused(refusal: TranscriptRefusal, message: string, options: { code?: GatewayErrorCode; found?: readonly string[] } = {}): Refused {
  return {
    ok: false,
    code: options.code ?? REFUSAL_CODES[refusal],
    refusal,
    message,
    ...(options.found === undefined ? {} : { found: options.found }),
  };
}
