/**
 * RTP relay micro-benchmark: N concurrent relayed calls on loopback, 50 packets/s (20 ms G.711)
 * each direction, for a few seconds. The fake trunks and desk phones run in a child process, so
 * the CPU time measured here (process.cpuUsage) is the relay's alone. Reports CPU per call, the
 * share of one core, and packet loss end to end. The issue's target: 30 calls under 50% of one core.
 *
 *   node --import tsx scripts/bench/rtp-relay-bench.ts [--calls 30] [--seconds 5] [--listen-along 0]
 *
 * `--listen-along K` adds a supervisor leg (mixing both directions every 20 ms) to K of the calls.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../src/log/index.js';
import { encodeG711 } from '../../src/media/g711.js';
import { ListenAlong } from '../../src/media/listen-along.js';
import { RtpPortPool } from '../../src/media/port-pool.js';
import { serializeRtpPacket } from '../../src/media/rtp-packet.js';
import { RtpRelay } from '../../src/media/rtp-relay.js';
import { timerScheduler, type Clock } from '../../src/time/index.js';

interface CallPorts {
  readonly outside: number;
  readonly inside: number;
  readonly supervisor: number | undefined;
}

type ToEndpoints =
  | { readonly kind: 'open'; readonly calls: number; readonly supervisors: number }
  | { readonly kind: 'start'; readonly ports: readonly CallPorts[] }
  | { readonly kind: 'stop' };

type FromEndpoints =
  | { readonly kind: 'opened'; readonly endpoints: ReadonlyArray<{ trunk: number; phone: number; supervisor: number | undefined }> }
  | { readonly kind: 'counts'; readonly sent: number; readonly received: number; readonly supervisorReceived: number };

const FRAME_MS = 20;

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`--${name} wants a number`);
  return value;
}

async function boundSocket(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  // Loopback bursts of 2N packets every 20 ms: room so the kernel does not drop them for us.
  socket.setRecvBufferSize(1 << 20);
  return socket;
}

/** The child: trunks and desk phones sending tone frames to the relay and counting what comes back. */
async function runEndpoints(): Promise<void> {
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

function nextMessage<K extends FromEndpoints['kind']>(child: ChildProcess, kind: K): Promise<Extract<FromEndpoints, { kind: K }>> {
  return new Promise((resolve) => {
    const listener = (message: FromEndpoints): void => {
      if (message.kind !== kind) return;
      child.off('message', listener);
      resolve(message as Extract<FromEndpoints, { kind: K }>);
    };
    child.on('message', listener);
  });
}

async function runBench(): Promise<void> {
  const calls = option('calls', 30);
  const seconds = option('seconds', 5);
  const listening = Math.min(calls, option('listen-along', 0));
  const clock: Clock = { now: () => Date.now() };
  const logger = silentLogger();
  const pool = new RtpPortPool({ first: 40000, last: 40999 });
  const child = fork(fileURLToPath(import.meta.url), ['--endpoints'], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });

  child.send({ kind: 'open', calls, supervisors: listening } satisfies ToEndpoints);
  const { endpoints } = await nextMessage(child, 'opened');
  const relays = endpoints.map((endpoint) => new RtpRelay({
    pool,
    bindAddress: '127.0.0.1',
    outside: { codec: 'PCMA', remote: { address: '127.0.0.1', port: endpoint.trunk } },
    inside: { codec: 'PCMA', remote: { address: '127.0.0.1', port: endpoint.phone } },
    clock,
    scheduler: timerScheduler,
    logger,
  }));
  await Promise.all(relays.map((relay) => relay.start()));
  const listenAlongs = endpoints.slice(0, listening).map((endpoint, i) => new ListenAlong({
    relay: relays[i]!,
    pool,
    bindAddress: '127.0.0.1',
    supervisor: { codec: 'PCMU', remote: { address: '127.0.0.1', port: endpoint.supervisor ?? 0 } },
    clock,
    scheduler: timerScheduler,
    logger,
  }));
  await Promise.all(listenAlongs.map((listen) => listen.start()));

  child.send({
    kind: 'start',
    ports: relays.map((relay, i) => ({ outside: relay.outside.localPort, inside: relay.inside.localPort, supervisor: listenAlongs[i]?.supervisorLeg.localPort })),
  } satisfies ToEndpoints);
  // One second of warm-up (JIT, socket buffers), then the measured window.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const cpuBefore = process.cpuUsage();
  const wallBefore = process.hrtime.bigint();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const cpu = process.cpuUsage(cpuBefore);
  const wallSeconds = Number(process.hrtime.bigint() - wallBefore) / 1e9;
  child.send({ kind: 'stop' } satisfies ToEndpoints);
  const counts = await nextMessage(child, 'counts');
  await Promise.all(listenAlongs.map((listen) => listen.stop()));
  await Promise.all(relays.map((relay) => relay.stop()));

  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const coreShare = cpuSeconds / wallSeconds;
  const counters = relays.map((relay) => relay.counters());
  const forwarded = counters.reduce((total, pair) => total + pair.outside.packetsOut + pair.inside.packetsOut, 0);
  const loss = counts.sent > 0 ? 1 - counts.received / counts.sent : 0;
  const expectedSupervisor = listening * (seconds + 1.3) * (1000 / FRAME_MS);
  const results = {
    calls,
    listenAlong: listening,
    seconds: Number(wallSeconds.toFixed(2)),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cpuPercentOfOneCore: Number((coreShare * 100).toFixed(1)),
    cpuMillisecondsPerCallPerSecond: Number(((cpuSeconds * 1000) / wallSeconds / calls).toFixed(3)),
    packetsSent: counts.sent,
    packetsReceived: counts.received,
    packetsForwarded: forwarded,
    lossPercent: Number((loss * 100).toFixed(3)),
    supervisorFramesReceived: counts.supervisorReceived,
    supervisorFramesExpectedAbout: Math.round(expectedSupervisor),
  };
  console.log(`${calls} relayed calls${listening ? ` (${listening} with listen-along)` : ''}, ${results.seconds} s at 50 packets/s each direction`);
  console.log(`  relay CPU: ${results.cpuPercentOfOneCore}% of one core, ${results.cpuMillisecondsPerCallPerSecond} ms CPU per call per second (target: 30 calls < 50%)`);
  console.log(`  packets: ${counts.sent} sent, ${counts.received} received back, loss ${results.lossPercent}%`);
  console.log(JSON.stringify(results));
}

if (process.argv.includes('--endpoints')) await runEndpoints();
else await runBench();
