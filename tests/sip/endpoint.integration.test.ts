import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { isGatewayError } from '../../src/errors.js';
import { ManualScheduler } from '../../src/time/scheduler.js';
import { parseSipMessage, serializeSipMessage, type SipEndpoint, type SipResponse } from '../../src/sip/index.js';
import { answeringDesk, inviteFrom, loopbackEndpoint, peerOf, placeCall } from './endpoint-harness.js';
import { waitFor } from '../support/wait-for.js';

const started: SipEndpoint[] = [];
const sockets: Socket[] = [];

async function pair() {
  const scheduler = new ManualScheduler(0);
  const box = loopbackEndpoint(scheduler, scheduler.clock);
  const phone = loopbackEndpoint(scheduler, scheduler.clock);
  started.push(box, phone);
  await box.start();
  await phone.start();
  return { scheduler, box, phone };
}

async function rawUdpSocket(): Promise<{ socket: Socket; received: Buffer[] }> {
  const socket = createSocket('udp4');
  const received: Buffer[] = [];
  socket.on('message', (bytes) => received.push(bytes));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  sockets.push(socket);
  return { socket, received };
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((endpoint) => endpoint.stop()));
  for (const socket of sockets.splice(0)) socket.close();
});

describe('two SIP endpoints on loopback', () => {
  it.each(['udp', 'tcp'] as const)('complete INVITE/180/200/ACK/BYE over %s', async (transport) => {
    const { box, phone } = await pair();
    const desk = answeringDesk(phone, transport);
    const { dialog, statuses } = await placeCall(box, transport, peerOf(phone, transport));
    expect(statuses).toEqual([100, 180, 200]);
    await waitFor(() => desk.acks.length === 1, 'ACK at the desk');
    const invite = desk.invites[0]?.request;
    expect(invite?.headers.get('From')).toContain('"Known caller, 4 earlier contacts"');
    expect(invite?.headers.get('Privacy')).toBe('id');
    const bye = await box.request(dialog.createRequest('BYE'), dialog.destination(transport)).final;
    expect(bye.status).toBe(200);
    expect(desk.byes).toHaveLength(1);
    expect(desk.byes[0]?.headers.get('CSeq')).toBe('2 BYE');
  });

  it('cancels a ringing call: 200 to the CANCEL, 487 to the INVITE, ACKed by the transaction', async () => {
    const { scheduler, box, phone } = await pair();
    const desk = answeringDesk(phone, 'udp', { ringOnly: true });
    const target = peerOf(phone, 'udp');
    const outgoing = box.request(inviteFrom(box, 'udp', target), target);
    const statuses: number[] = [];
    outgoing.onResponse((response) => statuses.push(response.status));
    await waitFor(() => statuses.includes(180), '180 Ringing');
    outgoing.cancel();
    expect((await outgoing.final).status).toBe(487);
    await waitFor(() => desk.cancels === 1, 'cancel at the desk');
    await waitFor(() => desk.acks.length === 1, 'the 487 ACKed');
    scheduler.advance(32_000);
    expect(phone.counters().serverTransactions).toBe(0);
  });

  it('absorbs a retransmitted INVITE: the application sees it once, the sender gets the provisional again', async () => {
    const { phone } = await pair();
    const desk = answeringDesk(phone, 'udp', { ringOnly: true });
    const { socket, received } = await rawUdpSocket();
    const { port } = socket.address();
    const invite = inviteFrom(phone, 'udp', peerOf(phone, 'udp'));
    invite.headers.prepend('Via', `SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKretransmitted1;rport`);
    const bytes = serializeSipMessage(invite);
    socket.send(bytes, phone.localAddress('udp').port, '127.0.0.1');
    await waitFor(() => received.length === 2, '100 and 180');
    socket.send(bytes, phone.localAddress('udp').port, '127.0.0.1');
    await waitFor(() => received.length === 3, 'resent 180');
    expect(desk.invites).toHaveLength(1);
    const statuses = received.map((datagram) => (parseSipMessage(datagram) as SipResponse).status);
    expect(statuses).toEqual([100, 180, 180]);
    expect((parseSipMessage(received[0] ?? Buffer.alloc(0)) as SipResponse).headers.get('Via')).toContain(`rport=${port};received=127.0.0.1`);
  });

  it('gives up on a silent peer with HGW_SIP_TIMEOUT after timer B, having retransmitted on timer A', async () => {
    const { scheduler, box } = await pair();
    const { socket, received } = await rawUdpSocket();
    const target = { transport: 'udp' as const, address: '127.0.0.1', port: socket.address().port };
    const outgoing = box.request(inviteFrom(box, 'udp', target), target);
    for (let step = 0; step < 64; step++) {
      scheduler.advance(500);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const error = await outgoing.final.then(() => undefined, (caught: unknown) => caught);
    expect(isGatewayError(error, 'HGW_SIP_TIMEOUT')).toBe(true);
    await waitFor(() => received.length === 7, 'seven INVITE copies');
    expect(box.counters().clientTransactions).toBe(0);
  });

  it('answers an unknown method with what the application chose and counts traffic', async () => {
    const { box, phone } = await pair();
    answeringDesk(phone, 'udp');
    const { dialog } = await placeCall(box, 'udp', peerOf(phone, 'udp'));
    const info = await box.request(dialog.createRequest('FOOBAR'), dialog.destination('udp')).final;
    expect(info.status).toBe(405);
    expect(phone.counters()).toMatchObject({ malformed: 0, oversized: 0, floodDropped: 0 });
    expect(phone.counters().received).toBeGreaterThanOrEqual(3);
  });

  it('answers a malformed but answerable request with a generic 400, and an INVITE flood with one 503 then silence', async () => {
    const scheduler = new ManualScheduler(0);
    const phone = loopbackEndpoint(scheduler, scheduler.clock, { burst: 2, invitesPerSecond: 1, retryAfterSeconds: 20 });
    started.push(phone);
    await phone.start();
    answeringDesk(phone, 'udp', { ringOnly: true });
    const { socket, received } = await rawUdpSocket();
    const invite = inviteFrom(phone, 'udp', peerOf(phone, 'udp'));
    const via = (index: number) => `SIP/2.0/UDP 127.0.0.1:${socket.address().port};branch=z9hG4bKflood${index}`;
    const bad = serializeSipMessage({ ...invite, headers: invite.headers.clone().prepend('Via', via(0)).set('Max-Forwards', 'many 0612345678') });
    socket.send(bad, phone.localAddress('udp').port, '127.0.0.1');
    await waitFor(() => received.length === 1, '400');
    const badRequest = parseSipMessage(received[0] ?? Buffer.alloc(0)) as SipResponse;
    expect([badRequest.status, badRequest.reason]).toEqual([400, 'Bad Request']);
    expect(received[0]?.toString()).not.toContain('many');
    received.length = 0;
    for (let index = 1; index <= 6; index++) {
      socket.send(serializeSipMessage({ ...invite, headers: invite.headers.clone().prepend('Via', via(index)) }), phone.localAddress('udp').port, '127.0.0.1');
    }
    await waitFor(() => phone.counters().floodDropped === 4, 'flood counted');
    await waitFor(() => received.some((datagram) => datagram.toString().startsWith('SIP/2.0 503')), '503');
    const refusals = received.filter((datagram) => datagram.toString().startsWith('SIP/2.0 503'));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]?.toString()).toContain('Retry-After: 20');
  });
});
