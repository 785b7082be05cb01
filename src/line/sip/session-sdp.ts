import { randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import type { G711Codec } from '../../media/index.js';
import {
  answerAudioOffer, createAudioOffer, serializeSdp, type AudioAnswer, type MediaDirection, type SessionDescription,
} from '../../sip/index.js';

/**
 * The box's side of one SDP session: its address, a random session id (never derived from a
 * caller) and the version, raised with every new description (RFC 3264 §8).
 */
export class LocalSdp {
  readonly #address: string;
  readonly #sessionId = String(randomInt(1, 2 ** 47));
  #version = 0;

  constructor(address: string) {
    this.#address = address;
  }

  offer(port: number, codecs: readonly G711Codec[], direction: MediaDirection = 'sendrecv'): string {
    const sdp = createAudioOffer({ ...this.#local(port), codecs });
    return serializeSdp(withDirection(sdp, direction));
  }

  answer(offer: SessionDescription, port: number, codecs?: readonly G711Codec[]): AudioAnswer {
    return answerAudioOffer(offer, { ...this.#local(port), ...(codecs ? { codecs } : {}) });
  }

  #local(port: number): { address: string; addressType: 'IP4' | 'IP6'; port: number; sessionId: string; sessionVersion: number } {
    this.#version++;
    return { address: this.#address, addressType: isIP(this.#address) === 6 ? 'IP6' : 'IP4', port, sessionId: this.#sessionId, sessionVersion: this.#version };
  }
}

function withDirection(sdp: SessionDescription, direction: MediaDirection): SessionDescription {
  if (direction === 'sendrecv') return sdp;
  return { ...sdp, media: sdp.media.map((media) => ({ ...media, direction })) };
}

/** The other law first: what a leg negotiated elsewhere is preferred, so nothing is transcoded. */
export function codecsPreferring(codec: G711Codec): G711Codec[] {
  return codec === 'PCMA' ? ['PCMA', 'PCMU'] : ['PCMU', 'PCMA'];
}
