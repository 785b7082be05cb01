/** Text messages for tests: CRLF line ends added here, so fixtures read naturally. */
export function sipText(lines: readonly string[], body = ''): Buffer {
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'utf8');
}

export const CALLER_DIGITS = '0612345678';

export const INVITE_LINES = [
  'INVITE sip:desk@192.0.2.10:5060;transport=udp SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;rport',
  'Max-Forwards: 70',
  `From: "Caller, The" <sip:${CALLER_DIGITS}@trunk.example>;tag=1928301774`,
  'To: <sip:desk@192.0.2.10>',
  'Call-ID: a84b4c76e66710@pc33.example',
  'CSeq: 314159 INVITE',
  'Contact: <sip:trunk@192.0.2.1:5060>',
  'Content-Type: application/sdp',
];

export const SDP_OFFER = [
  'v=0',
  'o=- 20518 0 IN IP4 192.0.2.1',
  's=-',
  'c=IN IP4 192.0.2.1',
  't=0 0',
  'm=audio 40000 RTP/AVP 0 8 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=ptime:20',
  'a=sendrecv',
  '',
].join('\r\n');

export function inviteWithBody(body = SDP_OFFER): Buffer {
  return sipText([...INVITE_LINES, `Content-Length: ${Buffer.byteLength(body)}`], body);
}
