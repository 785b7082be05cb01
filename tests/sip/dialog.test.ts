import { describe, expect, it } from 'vitest';
import {
  SipDialog, createRequest, createResponse, formatUri, newBranch, newCallId, newTag, parseSipMessage, peerFromUri,
  serializeSipMessage, parseUri, type SipRequest,
} from '../../src/sip/index.js';
import { CALLER_DIGITS, INVITE_LINES, sipText } from './sip-fixtures.js';

function inviteFromBox(): SipRequest {
  const invite = createRequest({
    method: 'INVITE', uri: 'sip:desk@192.0.2.10', from: '"Known caller" <sip:ref-1@box.invalid>;tag=boxtag', to: '<sip:desk@192.0.2.10>',
    callId: 'c1', cseq: 1, contact: '<sip:box@192.0.2.2:5060>',
  });
  invite.headers.prepend('Via', `SIP/2.0/UDP 192.0.2.2;branch=${newBranch()}`);
  return invite;
}

describe('request building and dialogs', () => {
  it('builds a request with only the headers it was given, plus Max-Forwards and the body length', () => {
    const request = createRequest({
      method: 'INVITE', uri: 'sip:desk@192.0.2.10', from: '<sip:ref-1@box.invalid>;tag=a', to: 'sip:desk@192.0.2.10', callId: 'x', cseq: 5,
      headers: [['Privacy', 'id']], body: 'v=0\r\n', contentType: 'application/sdp',
    });
    const text = serializeSipMessage(request).toString();
    expect(text.split('\r\n').map((line) => line.split(':')[0])).toEqual([
      'INVITE sip', 'Max-Forwards', 'From', 'To', 'Call-ID', 'CSeq', 'Privacy', 'Content-Type', 'Content-Length', '', 'v=0', '',
    ]);
    expect(() => createRequest({ method: 'BYE', uri: 'sip:a@b', from: '<sip:x@y>', to: '<sip:a@b>', callId: 'x', cseq: 1 })).toThrow(/tag/);
  });

  it('makes fresh random Call-IDs, tags and magic-cookie branches that carry no host', () => {
    const ids = new Set(Array.from({ length: 100 }, () => newCallId()));
    expect(ids.size).toBe(100);
    expect(newBranch()).toMatch(/^z9hG4bK[0-9a-f]{24}$/);
    expect(newTag()).toMatch(/^[0-9a-f]{16}$/);
    expect(newCallId()).not.toContain('@');
  });

  it('creates a UAC dialog from a 2xx and builds its ACK, BYE and re-INVITE along the reversed route set', () => {
    const invite = inviteFromBox();
    const ok = createResponse(invite, 200, { toTag: 'desktag', headers: [['Record-Route', '<sip:p1.example;lr>'], ['Record-Route', '<sip:p2.example;lr>'], ['Contact', '<sip:desk@192.0.2.10:5062;transport=tcp>']] });
    const dialog = SipDialog.fromUacResponse(invite, ok);
    expect([dialog.localTag, dialog.remoteTag, dialog.callId]).toEqual(['boxtag', 'desktag', 'c1']);
    const ack = dialog.createAck(1);
    expect(ack.headers.get('CSeq')).toBe('1 ACK');
    expect(ack.headers.getAll('Route')).toEqual(['<sip:p2.example;lr>', '<sip:p1.example;lr>']);
    expect(formatUri(ack.uri)).toBe('sip:desk@192.0.2.10:5062;transport=tcp');
    expect(dialog.createRequest('BYE').headers.get('CSeq')).toBe('2 BYE');
    expect(dialog.createRequest('INVITE').headers.get('CSeq')).toBe('3 INVITE');
    expect(dialog.destination()).toEqual({ transport: 'udp', address: 'p2.example', port: 5060 });
    expect(dialog.matches(createResponse(invite, 200, { toTag: 'desktag' }))).toBe(true);
  });

  it('creates a UAS dialog from an INVITE and refuses a request whose CSeq does not grow', () => {
    const invite = parseSipMessage(sipText(INVITE_LINES)) as SipRequest;
    const dialog = SipDialog.fromUasRequest(invite, 'mytag');
    const bye = dialog.createRequest('BYE');
    expect(bye.headers.get('From')).toBe('<sip:desk@192.0.2.10>;tag=mytag');
    expect(bye.headers.get('To')).toContain(`sip:${CALLER_DIGITS}@trunk.example`);
    expect(dialog.destination()).toEqual({ transport: 'udp', address: '192.0.2.1', port: 5060 });
    const sameSequence = parseSipMessage(sipText(INVITE_LINES.map((line) => (line.startsWith('CSeq') ? 'CSeq: 314159 BYE' : line.replace(/^INVITE/, 'BYE'))))) as SipRequest;
    expect(dialog.acceptRemoteRequest(sameSequence)).toBe(false);
  });

  it('reads a peer from a URI: port 5060 by default, transport parameter, IPv6 brackets removed', () => {
    expect(peerFromUri(parseUri('sip:a@[::1]:5070;transport=TCP'))).toEqual({ transport: 'tcp', address: '::1', port: 5070 });
    expect(peerFromUri(parseUri('sip:192.0.2.4'))).toEqual({ transport: 'udp', address: '192.0.2.4', port: 5060 });
  });
});
