import type { GatewayErrorCode } from '../errors.js';

/**
 * The frames between the public chat page and the box (docs/chat.md). JSON text frames only; the
 * page never learns anything about the volunteer but what they write.
 */

/** caller -> box */
export type CallerFrame =
  | { readonly type: 'hello' }
  | { readonly type: 'message'; readonly text: string }
  | { readonly type: 'leave' };

/** Why a chat ended, as the chatter is told. */
export type ChatEndReason = 'volunteer' | 'idle' | 'left' | 'shutdown';

/** Why a chat was not put through: a Time Out, a block, or a failed moderation lookup under `refuse`. */
export type RefusalReason = 'time-out' | 'blocked' | 'unavailable';

/** box -> caller */
export type ChatterFrame =
  | { readonly type: 'queued'; readonly position: number }
  | { readonly type: 'connected' }
  /** The chatter's own message as stored (the page shows only what the box accepted). */
  | { readonly type: 'sent'; readonly text: string; readonly at: number }
  | { readonly type: 'message'; readonly text: string; readonly at: number }
  | { readonly type: 'ended'; readonly reason: ChatEndReason }
  /** `text` says it in Dutch, with `until` as a date and time in the site's zone. */
  | { readonly type: 'refused'; readonly reason: RefusalReason; readonly until: number | null; readonly text: string }
  /** `message` is Dutch, for the chatter; it never repeats the input. */
  | { readonly type: 'error'; readonly code: GatewayErrorCode; readonly message: string };

export type FrameReading =
  | { readonly ok: true; readonly frame: CallerFrame }
  | { readonly ok: false; readonly code: GatewayErrorCode; readonly message: string };

const NOT_A_FRAME = 'Dit bericht kon niet gelezen worden.';

/** Reads one text frame; a fixed answer for anything else, never an echo of the input. */
export function readCallerFrame(text: string): FrameReading {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, code: 'HGW_CHAT_BAD_FRAME', message: NOT_A_FRAME };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, code: 'HGW_CHAT_BAD_FRAME', message: NOT_A_FRAME };
  const fields = parsed as Record<string, unknown>;
  switch (fields['type']) {
    case 'hello':
      return { ok: true, frame: { type: 'hello' } };
    case 'leave':
      return { ok: true, frame: { type: 'leave' } };
    case 'message': {
      const messageText = fields['text'];
      if (typeof messageText !== 'string') return { ok: false, code: 'HGW_CHAT_BAD_FRAME', message: NOT_A_FRAME };
      return { ok: true, frame: { type: 'message', text: messageText } };
    }
    default:
      return { ok: false, code: 'HGW_CHAT_BAD_FRAME', message: NOT_A_FRAME };
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// C0 and C1 controls except tab and newline: they render as nothing or garble the volunteer's page.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

/**
 * A message as it is stored and shown: line ends as \n, no control characters, and no lone
 * surrogate (UTF-8 cannot carry one, so the sealed text would differ from what was relayed).
 */
export function cleanMessageText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(CONTROL_CHARACTERS, '').replace(LONE_SURROGATE, '\uFFFD');
}
