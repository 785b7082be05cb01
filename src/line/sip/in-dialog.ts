import type { MediaLeg } from '../../media/index.js';
import {
  formatUri, parseSdp, serializeSdp, type IncomingRequest, type SipDialog, type SipEndpoint, type SessionDescription,
} from '../../sip/index.js';
import type { LocalSdp } from './session-sdp.js';

/** The methods the box takes part in; sent in Allow with 405s and 200s. */
export const ALLOWED_METHODS = 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO';

/** Requests that name a SIP method the box knows but does not serve (405); anything else is 501. */
const KNOWN_METHODS = new Set(['REGISTER', 'SUBSCRIBE', 'NOTIFY', 'REFER', 'MESSAGE', 'PUBLISH', 'PRACK', 'UPDATE']);

/** Answers a request the box does not serve: 405 with Allow for a known method, 501 otherwise. */
export function refuseMethod(incoming: IncomingRequest): void {
  if (KNOWN_METHODS.has(incoming.request.method)) incoming.respond(405, { headers: [['Allow', ALLOWED_METHODS]] });
  else incoming.respond(501);
}

export function contactHeader(endpoint: SipEndpoint, incoming: IncomingRequest): string {
  return `<${formatUri(endpoint.contactUri(incoming.source.transport))}>`;
}

/** One side of a call: its dialog, the box's SDP session for it and the media leg it describes. */
export interface DialogMedia {
  readonly dialog: SipDialog;
  readonly sdp: LocalSdp;
  /** The leg whose port the SDP names; undefined when the leg carries no media of its own. */
  leg(): MediaLeg | undefined;
  /** Said in a fresh offer (an offerless re-INVITE): sendonly for a listen-only supervisor. */
  readonly direction?: 'sendrecv' | 'sendonly';
}

export interface InDialogHandlers {
  /** The remote side hung up; the 200 has been sent. */
  bye(): void;
}

/**
 * A request inside a dialog the box holds: BYE ends the leg, a re-INVITE is answered with the box's
 * own SDP (the leg's remote follows the new offer), INFO and OPTIONS get 200, the rest 405/501.
 */
export function answerInDialog(endpoint: SipEndpoint, incoming: IncomingRequest, media: DialogMedia, handlers: InDialogHandlers): void {
  const { request } = incoming;
  if (!media.dialog.acceptRemoteRequest(request)) {
    incoming.respond(500, { headers: [['Retry-After', '1']] });
    return;
  }
  switch (request.method) {
    case 'BYE':
      incoming.respond(200);
      handlers.bye();
      return;
    case 'INVITE':
      answerReInvite(endpoint, incoming, media);
      return;
    case 'INFO':
    case 'OPTIONS':
      incoming.respond(200, { headers: [['Allow', ALLOWED_METHODS]] });
      return;
    default:
      refuseMethod(incoming);
  }
}

function answerReInvite(endpoint: SipEndpoint, incoming: IncomingRequest, media: DialogMedia): void {
  const leg = media.leg();
  if (!leg) {
    incoming.respond(488);
    return;
  }
  const headers: Array<[string, string]> = [['Contact', contactHeader(endpoint, incoming)], ['Content-Type', 'application/sdp']];
  if (incoming.request.body.byteLength === 0) {
    const body = media.sdp.offer(leg.localPort, [leg.codec], media.direction);
    incoming.respond(200, { headers, body: Buffer.from(body) });
    return;
  }
  let offer: SessionDescription;
  try {
    offer = parseSdp(incoming.request.body);
  } catch {
    incoming.respond(488);
    return;
  }
  const answer = media.sdp.answer(offer, leg.localPort, [leg.codec, leg.codec === 'PCMA' ? 'PCMU' : 'PCMA']);
  if (!answer.ok) {
    incoming.respond(488);
    return;
  }
  leg.setRemote({ address: answer.audio.remoteAddress, port: answer.audio.remotePort });
  leg.setCodec(answer.audio.codec);
  incoming.respond(200, { headers, body: Buffer.from(serializeSdp(answer.answer)) });
}
