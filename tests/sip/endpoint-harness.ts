import { silentLogger } from '../../src/log/index.js';
import type { Scheduler } from '../../src/time/scheduler.js';
import type { Clock } from '../../src/time/clock.js';
import {
  SipDialog, SipEndpoint, answerAudioOffer, createAudioOffer, createRequest, formatUri, newCallId, newTag, parseSdp,
  serializeSdp, type IncomingRequest, type SipPeer, type SipRequest, type SipTransportProtocol,
} from '../../src/sip/index.js';

export function loopbackEndpoint(scheduler: Scheduler, clock: Clock, flood = {}): SipEndpoint {
  return new SipEndpoint({
    udp: { host: '127.0.0.1', port: 0 },
    tcp: { host: '127.0.0.1', port: 0 },
    logger: silentLogger(),
    clock,
    scheduler,
    flood,
  });
}

export function peerOf(endpoint: SipEndpoint, transport: SipTransportProtocol): SipPeer {
  return { transport, address: '127.0.0.1', port: endpoint.localAddress(transport).port };
}

export interface AnsweringDesk {
  readonly invites: IncomingRequest[];
  readonly acks: SipRequest[];
  readonly byes: SipRequest[];
  readonly cancels: number;
}

/** A desk phone on an endpoint: rings, then answers with PCMA unless `ringOnly`; answers BYE with 200. */
export function answeringDesk(endpoint: SipEndpoint, transport: SipTransportProtocol, options: { ringOnly?: boolean } = {}): AnsweringDesk {
  const desk = { invites: [] as IncomingRequest[], acks: [] as SipRequest[], byes: [] as SipRequest[], cancels: 0 };
  endpoint.onRequest((incoming) => {
    const { request } = incoming;
    if (request.method === 'INVITE') {
      desk.invites.push(incoming);
      incoming.on('ack', (ack) => desk.acks.push(ack));
      incoming.on('cancel', () => desk.cancels++);
      incoming.respond(180);
      if (options.ringOnly) return;
      const offer = request.body.byteLength > 0 ? parseSdp(request.body) : undefined;
      const answer = offer ? answerAudioOffer(offer, { address: '127.0.0.1', port: 31000, sessionId: '1' }) : undefined;
      const sdp = answer?.ok ? serializeSdp(answer.answer) : serializeSdp(createAudioOffer({ address: '127.0.0.1', port: 31000, sessionId: '1' }));
      incoming.respond(200, {
        headers: [['Contact', `<${formatUri(endpoint.contactUri(transport, 'desk'))}>`], ['Content-Type', 'application/sdp']],
        body: Buffer.from(sdp),
      });
    } else if (request.method === 'BYE') {
      desk.byes.push(request);
      incoming.respond(200);
    } else {
      incoming.respond(405, { headers: [['Allow', 'INVITE, ACK, BYE, CANCEL']] });
    }
  });
  return desk;
}

export function inviteFrom(endpoint: SipEndpoint, transport: SipTransportProtocol, target: SipPeer): SipRequest {
  return createRequest({
    method: 'INVITE',
    uri: `sip:desk@127.0.0.1:${target.port}${transport === 'tcp' ? ';transport=tcp' : ''}`,
    from: { displayName: 'Known caller, 4 earlier contacts', uri: { scheme: 'sip', user: 'ref-7Q2K', host: 'box.invalid', params: [], headers: [] }, params: [['tag', newTag()]] },
    to: '<sip:desk@127.0.0.1>',
    callId: newCallId(),
    cseq: 1,
    contact: { uri: endpoint.contactUri(transport, 'box'), params: [] },
    headers: [['Privacy', 'id']],
    body: serializeSdp(createAudioOffer({ address: '127.0.0.1', port: 30000, sessionId: '2' })),
    contentType: 'application/sdp',
  });
}

/** Places a call, ACKs the 2xx and returns the dialog. */
export async function placeCall(endpoint: SipEndpoint, transport: SipTransportProtocol, target: SipPeer): Promise<{ dialog: SipDialog; statuses: number[] }> {
  const outgoing = endpoint.request(inviteFrom(endpoint, transport, target), target);
  const statuses: number[] = [];
  outgoing.onResponse((response) => statuses.push(response.status));
  const final = await outgoing.final;
  if (final.status !== 200) throw new Error(`call answered ${final.status}`);
  const dialog = SipDialog.fromUacResponse(outgoing.request, final);
  await endpoint.sendAck(dialog.createAck(1), dialog.destination(transport));
  return { dialog, statuses };
}
