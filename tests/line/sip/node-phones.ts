/**
 * Phones and a trunk made of the box's own SIP stack, for the tests that need to look at RTP or
 * send hostile SIP mid-call: each has a SipEndpoint on loopback and a FakeRtpEndpoint for media.
 */
import { silentLogger } from '../../../src/log/index.js';
import {
  SipDialog, SipEndpoint, createAudioOffer, createRequest, formatUri, newCallId, newTag, parseSdp, readAudio,
  serializeSdp, type IncomingRequest, type OutgoingRequest, type SipRequest, type SipResponse,
} from '../../../src/sip/index.js';
import { timerScheduler } from '../../../src/time/scheduler.js';
import { FakeRtpEndpoint } from '../../media/rtp-endpoint.js';
import { wallClock } from './b2bua-harness.js';

function endpointOnLoopback(): SipEndpoint {
  return new SipEndpoint({ udp: { host: '127.0.0.1', port: 0 }, logger: silentLogger(), clock: wallClock, scheduler: timerScheduler });
}

/** A phone that rings and answers (unless `answer` is false) with its own media port, and answers BYE. */
export class NodePhone {
  readonly invites: IncomingRequest[] = [];
  readonly byes: SipRequest[] = [];
  readonly media: FakeRtpEndpoint;
  readonly endpoint: SipEndpoint;
  answer = true;

  private constructor(endpoint: SipEndpoint, media: FakeRtpEndpoint) {
    this.endpoint = endpoint;
    this.media = media;
    endpoint.onRequest((incoming) => {
      const { request } = incoming;
      if (request.method === 'INVITE') {
        this.invites.push(incoming);
        incoming.respond(180);
        if (this.answer) this.#answer(incoming);
      } else if (request.method === 'BYE') {
        this.byes.push(request);
        incoming.respond(200);
      } else incoming.respond(200);
    });
  }

  static async start(): Promise<NodePhone> {
    const endpoint = endpointOnLoopback();
    await endpoint.start();
    return new NodePhone(endpoint, await FakeRtpEndpoint.open());
  }

  get uri(): string {
    return `sip:phone@127.0.0.1:${this.endpoint.localAddress('udp').port}`;
  }

  /** The box's RTP port for this phone, from the INVITE's SDP. */
  boxMediaPort(index = 0): number {
    const invite = this.invites[index];
    if (!invite) throw new Error('no INVITE yet');
    const audio = readAudio(parseSdp(invite.request.body));
    if (typeof audio === 'string') throw new Error(audio);
    return audio.remotePort;
  }

  #answer(incoming: IncomingRequest): void {
    const sdp = serializeSdp(createAudioOffer({ address: '127.0.0.1', port: this.media.port, sessionId: '7', codecs: ['PCMA'] }));
    incoming.respond(200, {
      headers: [['Contact', `<${formatUri(this.endpoint.contactUri('udp', 'phone'))}>`], ['Content-Type', 'application/sdp']],
      body: Buffer.from(sdp),
    });
  }

  async stop(): Promise<void> {
    await this.endpoint.stop();
    await this.media.close();
  }
}

/** The trunk: calls the box as the Dutch mobile 0612345678, and answers the box's BYE. */
export class NodeTrunk {
  readonly endpoint: SipEndpoint;
  readonly media: FakeRtpEndpoint;
  readonly byes: SipRequest[] = [];
  readonly statuses: number[] = [];
  outgoing: OutgoingRequest | undefined;
  dialog: SipDialog | undefined;

  private constructor(endpoint: SipEndpoint, media: FakeRtpEndpoint) {
    this.endpoint = endpoint;
    this.media = media;
    endpoint.onRequest((incoming) => {
      if (incoming.request.method === 'BYE') this.byes.push(incoming.request);
      incoming.respond(200);
    });
  }

  static async start(): Promise<NodeTrunk> {
    const endpoint = endpointOnLoopback();
    await endpoint.start();
    return new NodeTrunk(endpoint, await FakeRtpEndpoint.open());
  }

  /** Sends the INVITE; resolves with the final response (ACKed if 2xx). */
  async call(boxPort: number): Promise<SipResponse> {
    const target = { transport: 'udp' as const, address: '127.0.0.1', port: boxPort };
    const invite = createRequest({
      method: 'INVITE',
      uri: `sip:helpline@127.0.0.1:${boxPort}`,
      from: `"06 1234 5678" <sip:0612345678@127.0.0.1>;tag=${newTag()}`,
      to: `<sip:helpline@127.0.0.1:${boxPort}>`,
      callId: newCallId(),
      cseq: 1,
      contact: { uri: this.endpoint.contactUri('udp', '0612345678'), params: [] },
      headers: [['P-Asserted-Identity', '<tel:+31612345678>']],
      body: serializeSdp(createAudioOffer({ address: '127.0.0.1', port: this.media.port, sessionId: '612345678', codecs: ['PCMA'] })),
      contentType: 'application/sdp',
    });
    this.outgoing = this.endpoint.request(invite, target);
    this.outgoing.onResponse((response) => this.statuses.push(response.status));
    const final = await this.outgoing.final;
    if (final.status === 200) {
      this.dialog = SipDialog.fromUacResponse(this.outgoing.request, final);
      await this.endpoint.sendAck(this.dialog.createAck(1), this.dialog.destination());
    }
    return final;
  }

  /** The box's RTP port for the trunk, from the 200's SDP. */
  boxMediaPort(response: SipResponse): number {
    const audio = readAudio(parseSdp(response.body));
    if (typeof audio === 'string') throw new Error(audio);
    return audio.remotePort;
  }

  async hangUp(): Promise<SipResponse> {
    if (!this.dialog) throw new Error('no call');
    return this.endpoint.request(this.dialog.createRequest('BYE'), this.dialog.destination()).final;
  }

  async stop(): Promise<void> {
    await this.endpoint.stop();
    await this.media.close();
  }
}

