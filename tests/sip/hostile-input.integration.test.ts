import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualScheduler } from '../../src/time/scheduler.js';
import { serializeSipMessage, type SipEndpoint } from '../../src/sip/index.js';
import { answeringDesk, inviteFrom, loopbackEndpoint, peerOf, placeCall } from './endpoint-harness.js';
import { inviteWithBody } from './sip-fixtures.js';
import { waitFor } from '../support/wait-for.js';

const started: SipEndpoint[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((endpoint) => endpoint.stop()));
  for (const socket of sockets.splice(0)) socket.close();
});

function mutate(bytes: Buffer, seed: number): Buffer {
  const copy = Buffer.from(bytes);
  const edits = 1 + (seed % 6);
  for (let index = 0; index < edits; index++) copy[(seed * 7919 + index * 104_729) % copy.length] = (seed + index * 31) & 0xff;
  return seed % 5 === 0 ? copy.subarray(0, seed % copy.length) : copy;
}

/** Garbage, oversized, truncated, mutated and answerable-but-bad datagrams, plus a flood of fresh INVITEs. */
function hostileDatagrams(validInvite: Buffer, count: number): Buffer[] {
  const garbage = fc.sample(fc.uint8Array({ maxLength: 1500 }), { numRuns: count / 4, seed: 42 }).map((bytes) => Buffer.from(bytes));
  const mutated = Array.from({ length: count / 4 }, (_, index) => mutate(validInvite, index + 1));
  const oversized = Array.from({ length: 20 }, () => Buffer.concat([validInvite, randomBytes(20_000)]));
  const badButAnswerable = Array.from({ length: 50 }, (_, index) => Buffer.from(validInvite.toString().replace('Max-Forwards: 70', `Max-Forwards: x${index}`)));
  const flood = Array.from({ length: count / 4 }, (_, index) => Buffer.from(validInvite.toString().replace(/branch=z9hG4bK[0-9a-f]+/, `branch=z9hG4bKflood${index}`)));
  return [...garbage, ...mutated, ...oversized, ...badButAnswerable, ...flood].sort((left, right) => (left.length * 31) % 7 - (right.length * 31) % 7);
}

async function hostileTcpStream(port: number, payload: Buffer): Promise<void> {
  await new Promise<void>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.write(payload, () => socket.end());
    });
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
    socket.resume();
    socket.setTimeout(3000, () => socket.destroy());
  });
}

describe('hostile input at a running endpoint', () => {
  it('drops and counts thousands of fuzzed datagrams and TCP streams while a call is up, and the call still ends with BYE', async () => {
    const scheduler = new ManualScheduler(0);
    const box = loopbackEndpoint(scheduler, scheduler.clock);
    const phone = loopbackEndpoint(scheduler, scheduler.clock, { burst: 5, invitesPerSecond: 1 });
    started.push(box, phone);
    await box.start();
    await phone.start();
    const desk = answeringDesk(phone, 'udp', { ringOnly: false });
    const { dialog } = await placeCall(box, 'udp', peerOf(phone, 'udp'));
    await waitFor(() => desk.acks.length === 1, 'call established');

    const attacker = createSocket('udp4');
    sockets.push(attacker);
    await new Promise<void>((resolve) => attacker.bind(0, '127.0.0.1', resolve));
    const request = inviteFrom(box, 'udp', peerOf(phone, 'udp'));
    request.headers.prepend('Via', `SIP/2.0/UDP 127.0.0.1:${attacker.address().port};branch=z9hG4bK0;rport`);
    const invite = serializeSipMessage(request);
    const datagrams = hostileDatagrams(invite, 4000);
    for (let index = 0; index < datagrams.length; index++) {
      attacker.send(datagrams[index] ?? Buffer.alloc(0), phone.localAddress('udp').port, '127.0.0.1');
      if (index % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
    }

    const tcpPort = phone.localAddress('tcp').port;
    const streams = [
      ...fc.sample(fc.uint8Array({ minLength: 1, maxLength: 4000 }), { numRuns: 100, seed: 7 }).map((bytes) => Buffer.from(bytes)),
      Buffer.alloc(70_000, 0x41),
      Buffer.from(`OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 99999\r\n\r\n`),
      Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nVia: nothing\r\n\r\n'),
      Buffer.from('\r\n\r\n\r\n\r\n'),
      invite.subarray(0, 100),
      ...Array.from({ length: 50 }, (_, index) => mutate(inviteWithBody(), index + 3)),
    ];
    for (let index = 0; index < streams.length; index += 20) {
      await Promise.all(streams.slice(index, index + 20).map((payload) => hostileTcpStream(tcpPort, payload)));
    }

    await waitFor(() => {
      const counters = phone.counters();
      return counters.malformed > 500 && counters.oversized > 0 && counters.floodDropped > 100 && counters.streamsClosed > 0;
    }, 'hostile traffic counted', 15_000);

    const bye = await box.request(dialog.createRequest('BYE'), dialog.destination('udp')).final;
    expect(bye.status).toBe(200);
    expect(desk.byes).toHaveLength(1);
    const counters = phone.counters();
    // Loopback UDP may drop some of a burst in the kernel; most must have reached the parser.
    expect(counters.received).toBeGreaterThan(2000);
    expect(desk.invites.length).toBeLessThan(100);
  });
});
