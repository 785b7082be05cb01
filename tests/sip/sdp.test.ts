import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../src/errors.js';
import { answerAudioOffer, createAudioOffer, parseSdp, readAudio, serializeSdp } from '../../src/sip/index.js';
import { SDP_OFFER } from './sip-fixtures.js';

const LOCAL = { address: '198.51.100.5', port: 30000, sessionId: '4711' };

describe('SDP', () => {
  it('parses origin, connection, timing, audio payload types, rtpmap, fmtp, ptime and direction', () => {
    const sdp = parseSdp(SDP_OFFER);
    expect(sdp.origin).toEqual({ username: '-', sessionId: '20518', sessionVersion: '0', addressType: 'IP4', address: '192.0.2.1' });
    expect(sdp.connection).toEqual({ addressType: 'IP4', address: '192.0.2.1' });
    const [audio] = sdp.media;
    expect(audio?.formats).toEqual(['0', '8', '101']);
    expect(audio?.rtpMaps.map((map) => map.encoding)).toEqual(['PCMU', 'PCMA', 'telephone-event']);
    expect(audio?.fmtps).toEqual([[101, '0-16']]);
    expect([audio?.ptime, audio?.direction]).toEqual([20, 'sendrecv']);
  });

  it('serializes back to text that parses to the same description', () => {
    const sdp = parseSdp(SDP_OFFER);
    expect(parseSdp(serializeSdp(sdp))).toEqual(sdp);
    expect(serializeSdp(sdp)).toBe(SDP_OFFER);
  });

  it('answers with PCMA when both are offered, echoing the peer telephone-event type', () => {
    const result = answerAudioOffer(parseSdp(SDP_OFFER), LOCAL);
    if (!result.ok) throw new Error(result.reason);
    expect(result.audio).toMatchObject({ codec: 'PCMA', payloadType: 8, telephoneEventPayloadType: 101, remoteAddress: '192.0.2.1', remotePort: 40000, direction: 'sendrecv' });
    const text = serializeSdp(result.answer);
    expect(text).toContain('m=audio 30000 RTP/AVP 8 101');
    expect(text).toContain('c=IN IP4 198.51.100.5');
    expect(text).not.toContain('192.0.2.1');
  });

  it('picks PCMU when that is all the offer has, and refuses an offer without G.711', () => {
    const pcmuOnly = SDP_OFFER.replace('RTP/AVP 0 8 101', 'RTP/AVP 0').replace('a=rtpmap:8 PCMA/8000\r\n', '');
    const result = answerAudioOffer(parseSdp(pcmuOnly), LOCAL);
    expect(result.ok && result.audio.codec).toBe('PCMU');
    const g722 = SDP_OFFER.replace('RTP/AVP 0 8 101', 'RTP/AVP 9').replace(/a=rtpmap:(0|8|101)[^\r]*\r\n/g, '');
    expect(answerAudioOffer(parseSdp(g722), LOCAL)).toEqual({ ok: false, reason: 'no-common-codec' });
  });

  it('mirrors sendonly as recvonly (a caller put on hold)', () => {
    const result = answerAudioOffer(parseSdp(SDP_OFFER.replace('a=sendrecv', 'a=sendonly')), LOCAL);
    expect(result.ok && result.audio.direction).toBe('recvonly');
    expect(result.ok && serializeSdp(result.answer)).toContain('a=recvonly');
  });

  it('offers PCMA, PCMU and telephone-event 101 and reads an answer back', () => {
    const offer = createAudioOffer(LOCAL);
    expect(serializeSdp(offer)).toContain('m=audio 30000 RTP/AVP 8 0 101');
    const answer = readAudio(parseSdp(serializeSdp(offer)));
    expect(answer).toMatchObject({ codec: 'PCMA', telephoneEventPayloadType: 101, remotePort: 30000 });
  });

  it.each([
    ['no version line', SDP_OFFER.replace('v=0\r\n', '')],
    ['a bad connection line', SDP_OFFER.replace('c=IN IP4 192.0.2.1', 'c=IN IP4 nowhere')],
    ['a bad media line', SDP_OFFER.replace('m=audio 40000 RTP/AVP 0 8 101', 'm=audio port RTP/AVP')],
    ['an unknown line type', `${SDP_OFFER}x=1\r\n`],
    ['a missing origin', SDP_OFFER.replace(/o=[^\r]*\r\n/, '')],
    ['a bad rtpmap', SDP_OFFER.replace('a=rtpmap:8 PCMA/8000', 'a=rtpmap:8 PCMA')],
  ])('refuses SDP with %s as HGW_SIP_MALFORMED', (_name, text) => {
    let caught: unknown;
    try {
      parseSdp(text);
    } catch (error) {
      caught = error;
    }
    expect(isGatewayError(caught, 'HGW_SIP_MALFORMED')).toBe(true);
    expect((caught as Error).message).not.toContain('192.0.2.1');
  });
});
