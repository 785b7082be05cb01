/**
 * The RTP relay benchmark's far ends, in a child process so their CPU is not the relay's: per call
 * a trunk and a desk phone that send a 20 ms G.711 tone frame each every 20 ms to the relay and
 * count what comes back, plus a supervisor socket per listen-along. Started by rtp-relay-bench.ts.
 */
import { createSocket, type Socket } from 'node:dgram';
import { encodeG711 } from '../../src/media/g711.js';
import { serializeRtpPacket } from '../../src/media/rtp-packet.js';

export interface CallPorts {
  readonly outside: number;
  readonly inside: number;
  readonly supervisor: number | undefined;
}

export type ToEndpoints =
  | { readonly kind: 'open'; readonly calls: number; readonly supervisors: number }
  | { readonly kind: 'start'; readonly ports: readonly CallPorts[] }
  | { readonly kind: 'stop' };

export type FromEndpoints =
  | { readonly kind: 'opened'; readonly endpoints: ReadonlyArray<{ trunk: number; phone: number; supervisor: number | undefined }> }
  | { readonly kind: 'counts'; readonly sent: number; readonly received: number; readonly supervisorReceived: number };

export const FRAME_MS = 20;

async function boundSocket(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  // Loopback bursts of 2N packets every 20 ms: room so the kernel does not drop them for us.
  socket.setRecvBufferSize(1 << 20);
  return socket;
}

export async function runEndpoints(): Promise<void> {
  let trunks: Socket[] = [];
  let phones: Socket[] = [];
  let supervisors: Socket[] = [];
  let timer: NodeJS.Timeout | undefined;
  let sent = 0;
  let received = 0;
  let supervisorReceived = 0;
  const send = (message: FromEndpoints): void => {
    process.send?.(message);
  };
  process.on('message', async (message: ToEndpoints) => {
    if (message.kind === 'open') {
      trunks = await Promise.all(Array.from({ length: message.calls }, boundSocket));
      phones = await Promise.all(Array.from({ length: message.calls }, boundSocket));
      supervisors = await Promise.all(Array.from({ length: message.supervisors }, boundSocket));
      for (const socket of [...trunks, ...phones]) socket.on('message', () => received++);
      for (const socket of supervisors) socket.on('message', () => supervisorReceived++);
      send({
        kind: 'opened',
        endpoints: trunks.map((trunk, i) => ({ trunk: trunk.address().port, phone: phones[i]!.address().port, supervisor: supervisors[i]?.address().port })),
      });
    } else if (message.kind === 'start') {
      const payload = encodeG711('PCMA', Array.from({ length: 160 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000))));
      let sequenceNumber = 0;
      timer = setInterval(() => {
        sequenceNumber = (sequenceNumber + 1) & 0xffff;
        const packet = serializeRtpPacket({ payloadType: 8, sequenceNumber, timestamp: sequenceNumber * 160, ssrc: 7, payload });
        message.ports.forEach((ports, i) => {
          trunks[i]!.send(packet, ports.outside, '127.0.0.1');
          phones[i]!.send(packet, ports.inside, '127.0.0.1');
          sent += 2;
        });
      }, FRAME_MS);
    } else {
      clearInterval(timer);
      // Let the last packets land before counting.
      setTimeout(() => {
        send({ kind: 'counts', sent, received, supervisorReceived });
        for (const socket of [...trunks, ...phones, ...supervisors]) socket.close();
        process.disconnect();
      }, 300);
    }
  });
}

// Only as the forked child: the parent imports this file for its types and frame length.
if (process.argv.includes('--rtp-endpoints')) await runEndpoints();
