import type { SipMessage } from './message.js';
import { formatUri } from './uri.js';

/**
 * Writes a message: start line, one line per header value in order, then Content-Length from the
 * body's real length (any Content-Length in the headers is ignored, so it can never lie).
 */
export function serializeSipMessage(message: SipMessage): Buffer {
  const startLine = message.kind === 'request'
    ? `${message.method} ${formatUri(message.uri)} SIP/2.0`
    : `SIP/2.0 ${message.status} ${message.reason}`;
  const lines = [startLine];
  for (const [name, value] of message.headers.entries()) {
    if (name !== 'Content-Length') lines.push(`${name}: ${value}`);
  }
  lines.push(`Content-Length: ${message.body.byteLength}`, '', '');
  return Buffer.concat([Buffer.from(lines.join('\r\n'), 'utf8'), message.body]);
}
