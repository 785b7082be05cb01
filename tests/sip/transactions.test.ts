import { describe, expect, it } from 'vitest';
import type { GatewayError } from '../../src/errors.js';
import { silentLogger } from '../../src/log/index.js';
import { ManualScheduler } from '../../src/time/scheduler.js';
import { TransactionLayer, type ServerTransaction } from '../../src/sip/transaction-layer.js';
import type { NonInviteServerTransaction, InviteServerTransaction } from '../../src/sip/server-transactions.js';
import {
  createRequest, createResponse, DEFAULT_SIP_TIMERS, formatVia, newBranch, parseSipMessage, serializeSipMessage,
  type SipMessage, type SipPeer, type SipRequest, type SipResponse, type SipTransport, type SipTransportProtocol,
} from '../../src/sip/index.js';

interface Sent {
  readonly at: number;
  readonly message: SipMessage;
}

function harness(protocol: SipTransportProtocol = 'udp') {
  const scheduler = new ManualScheduler(0);
  const sent: Sent[] = [];
  const transport = {
    protocol, reliable: protocol === 'tcp',
    send: (message: SipMessage) => {
      sent.push({ at: scheduler.clock.now(), message: parseSipMessage(serializeSipMessage(message)) });
      return Promise.resolve();
    },
  } as unknown as SipTransport;
  const received = { requests: [] as ServerTransaction[], cancels: 0, acks: [] as SipRequest[], stray: [] as SipResponse[] };
  const layer = new TransactionLayer({
    scheduler, timers: DEFAULT_SIP_TIMERS, logger: silentLogger(), transports: new Map([[protocol, transport]]),
    user: {
      request: (transaction) => received.requests.push(transaction),
      cancel: () => received.cancels++,
      ack: (ack) => received.acks.push(ack),
      strayResponse: (response) => received.stray.push(response),
      unmatchable: () => undefined,
    },
  });
  const peer: SipPeer = { transport: protocol, address: '127.0.0.1', port: 5060 };
  return { scheduler, sent, layer, received, peer };
}

function request(method: string, protocol: SipTransportProtocol = 'udp'): SipRequest {
  const built = createRequest({ method, uri: 'sip:desk@127.0.0.1', from: '<sip:box@127.0.0.1>;tag=abc', to: '<sip:desk@127.0.0.1>', callId: 'call-1', cseq: 1 });
  built.headers.prepend('Via', formatVia({ transport: protocol.toUpperCase(), host: '127.0.0.1', port: 5070, params: [['branch', newBranch()]] }));
  return built;
}

function clientUser() {
  const events = { responses: [] as number[], failures: [] as GatewayError[], terminated: 0 };
  return { events, user: { response: (response: SipResponse) => events.responses.push(response.status), failure: (error: GatewayError) => events.failures.push(error), terminated: () => events.terminated++ } };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('INVITE client transaction', () => {
  it('retransmits on timer A (T1 doubling) over UDP and gives up on timer B after 64*T1', async () => {
    const { scheduler, sent, layer, peer } = harness();
    const { events, user } = clientUser();
    layer.sendRequest(request('INVITE'), peer, user);
    scheduler.advance(32_000);
    await flush();
    expect(sent.map((entry) => entry.at)).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
    expect(events.failures.map((error) => error.code)).toEqual(['HGW_SIP_TIMEOUT']);
    expect(layer.size.clients).toBe(0);
  });

  it('never retransmits over TCP but still times out', () => {
    const { scheduler, sent, layer, peer } = harness('tcp');
    const { events, user } = clientUser();
    layer.sendRequest(request('INVITE', 'tcp'), peer, user);
    scheduler.advance(40_000);
    expect(sent).toHaveLength(1);
    expect(events.failures).toHaveLength(1);
  });

  it('stops retransmitting on a provisional and ACKs a non-2xx final itself, absorbing its retransmissions', () => {
    const { scheduler, sent, layer, peer } = harness();
    const { events, user } = clientUser();
    const invite = request('INVITE');
    layer.sendRequest(invite, peer, user);
    layer.receive(createResponse(invite, 180, { toTag: 'desk' }), peer);
    scheduler.advance(10_000);
    expect(sent).toHaveLength(1);
    const busy = createResponse(invite, 486, { toTag: 'desk' });
    layer.receive(busy, peer);
    layer.receive(busy, peer);
    expect(events.responses).toEqual([180, 486]);
    const acks = sent.filter((entry) => entry.message.kind === 'request' && entry.message.method === 'ACK').map((entry) => entry.message);
    expect(acks).toHaveLength(2);
    expect(acks[0]?.headers.get('Via')).toBe(invite.headers.get('Via'));
    expect(acks[0]?.headers.get('To')).toContain('tag=desk');
    expect(acks[0]?.headers.get('CSeq')).toBe('1 ACK');
    scheduler.advance(32_000);
    expect(events.terminated).toBe(1);
  });

  it('passes a 2xx and its retransmissions up (Accepted state) and ends after 64*T1', () => {
    const { scheduler, layer, peer, received } = harness();
    const { events, user } = clientUser();
    const invite = request('INVITE');
    layer.sendRequest(invite, peer, user);
    const ok = createResponse(invite, 200, { toTag: 'desk' });
    layer.receive(ok, peer);
    layer.receive(ok, peer);
    expect(events.responses).toEqual([200, 200]);
    scheduler.advance(32_000);
    layer.receive(ok, peer);
    expect(received.stray).toHaveLength(1);
  });
});

describe('non-INVITE client transaction', () => {
  it('retransmits on timer E capped at T2 and times out on timer F', () => {
    const { scheduler, sent, layer, peer } = harness();
    const { events, user } = clientUser();
    layer.sendRequest(request('BYE'), peer, user);
    scheduler.advance(32_000);
    expect(sent.map((entry) => entry.at)).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(events.failures[0]?.code).toBe('HGW_SIP_TIMEOUT');
  });

  it('absorbs a retransmitted final response and ends after timer K', () => {
    const { scheduler, layer, peer } = harness();
    const { events, user } = clientUser();
    const bye = request('BYE');
    layer.sendRequest(bye, peer, user);
    layer.receive(createResponse(bye, 200), peer);
    layer.receive(createResponse(bye, 200), peer);
    expect(events.responses).toEqual([200]);
    scheduler.advance(5000);
    expect(events.terminated).toBe(1);
  });
});

describe('server transactions', () => {
  it('absorbs a retransmitted INVITE by resending the last provisional response', () => {
    const { sent, layer, peer, received } = harness();
    const invite = request('INVITE');
    layer.receive(invite, peer);
    layer.receive(invite, peer);
    expect(received.requests).toHaveLength(1);
    const transaction = received.requests[0] as InviteServerTransaction;
    transaction.respond(createResponse(invite, 180, { toTag: 't' }));
    layer.receive(invite, peer);
    expect(sent.map((entry) => entry.message.kind === 'response' && entry.message.status)).toEqual([180, 180]);
  });

  it('retransmits a non-2xx final on timer G until the ACK, then ends after timer I', () => {
    const { scheduler, sent, layer, peer, received } = harness();
    const invite = request('INVITE');
    const events: string[] = [];
    layer.receive(invite, peer);
    const transaction = received.requests[0] as InviteServerTransaction;
    transaction.attach({ acknowledged: () => events.push('ack'), unacknowledged: () => events.push('no ack'), terminated: () => events.push('end') });
    const busy = createResponse(invite, 486, { toTag: 't' });
    transaction.respond(busy);
    scheduler.advance(7600);
    expect(sent.map((entry) => entry.at)).toEqual([0, 500, 1500, 3500, 7500]);
    const ack = createRequest({ method: 'ACK', uri: 'sip:desk@127.0.0.1', from: '<sip:box@127.0.0.1>;tag=abc', to: busy.headers.get('To') ?? '', callId: 'call-1', cseq: 1 });
    ack.headers.prepend('Via', invite.headers.get('Via') ?? '');
    layer.receive(ack, peer);
    scheduler.advance(20_000);
    expect(sent).toHaveLength(5);
    expect(events).toEqual(['ack', 'end']);
  });

  it('reports an unacknowledged 2xx on timer H', () => {
    const { scheduler, sent, layer, peer, received } = harness();
    const invite = request('INVITE');
    layer.receive(invite, peer);
    const transaction = received.requests[0] as InviteServerTransaction;
    const events: string[] = [];
    transaction.attach({ acknowledged: () => events.push('ack'), unacknowledged: (error) => events.push(error.code), terminated: () => events.push('end') });
    transaction.respond(createResponse(invite, 200, { toTag: 't' }));
    scheduler.advance(32_000);
    expect(events).toEqual(['HGW_SIP_TIMEOUT', 'end']);
    expect(sent.length).toBeGreaterThan(5);
  });

  it('answers a retransmitted non-INVITE with the same final response until timer J', () => {
    const { scheduler, sent, layer, peer, received } = harness();
    const bye = request('BYE');
    layer.receive(bye, peer);
    (received.requests[0] as NonInviteServerTransaction).respond(createResponse(bye, 200));
    layer.receive(bye, peer);
    expect(received.requests).toHaveLength(1);
    expect(sent).toHaveLength(2);
    scheduler.advance(32_000);
    layer.receive(bye, peer);
    expect(received.requests).toHaveLength(2);
  });

  it('hands a CANCEL up with the INVITE transaction it matches by branch', () => {
    const { layer, peer, received } = harness();
    const invite = request('INVITE');
    layer.receive(invite, peer);
    const cancel = createRequest({ method: 'CANCEL', uri: 'sip:desk@127.0.0.1', from: '<sip:box@127.0.0.1>;tag=abc', to: '<sip:desk@127.0.0.1>', callId: 'call-1', cseq: 1 });
    cancel.headers.prepend('Via', invite.headers.get('Via') ?? '');
    layer.receive(cancel, peer);
    expect(received.cancels).toBe(1);
    expect(received.requests).toHaveLength(1);
  });
});
