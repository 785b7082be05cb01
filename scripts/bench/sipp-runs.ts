/**
 * SIPp for the call-setup benchmark: a desk phone (uas) that answers every INVITE at once, a trunk
 * (uac) that places calls at a fixed rate, and the setup time of each call read back from the
 * trunk's message trace (`-trace_msg` stamps each message to the microsecond; SIPp's own RTD in
 * `-trace_rtt` has whole milliseconds only, so it is kept as a cross-check).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SCENARIO_DIRECTORY = join(import.meta.dirname, '..', '..', 'tests', 'line', 'sip', 'scenarios');
const REPO = join(import.meta.dirname, '..', '..');

export interface SippExit {
  readonly exitCode: number | null;
  readonly stderr: string;
  /** The contents of SIPp's `*_errors.log` (-trace_err). */
  readonly errors: string;
  readonly workDirectory: string;
}

export interface SippProcess {
  readonly workDirectory: string;
  readonly done: Promise<SippExit>;
  /** Ends this SIPp (a uas runs until told) and waits for it. */
  stop(): Promise<SippExit>;
}

/** Installs Debian's sip-tester when missing (as root), like the test setup; its output goes to stderr. */
export function ensureSipp(): void {
  execFileSync('bash', [join(REPO, 'scripts', 'ensure-debian-packages.sh'), 'sip-tester:sipp'], { stdio: ['ignore', 2, 2] });
}

export async function freeUdpPort(address = '127.0.0.1'): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, address, resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

async function udpPortTaken(port: number): Promise<boolean> {
  const socket = createSocket('udp4');
  const taken = await new Promise<boolean>((resolve) => {
    socket.once('error', () => resolve(true));
    socket.bind(port, '127.0.0.1', () => resolve(false));
  });
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return taken;
}

function spawnSipp(workDirectory: string, args: readonly string[]): SippProcess {
  mkdirSync(workDirectory, { recursive: true });
  const child: ChildProcess = spawn('sipp', [...args, '-nostdin', '-trace_err', '-trace_msg', '-message_file', join(workDirectory, 'messages.log')], {
    cwd: workDirectory,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<SippExit>((resolve) => {
    child.on('exit', (exitCode) => {
      const files = existsSync(workDirectory) ? readdirSync(workDirectory) : [];
      const errors = files.filter((file) => file.endsWith('_errors.log')).map((file) => readFileSync(join(workDirectory, file), 'utf8')).join('\n');
      resolve({ exitCode, stderr, errors, workDirectory });
    });
  });
  return {
    workDirectory,
    done,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return done;
    },
  };
}

/** SIPp as every station's desk phone on `port`; resolves once it holds the port. */
export async function startDeskPhones(workDirectory: string, port: number): Promise<SippProcess> {
  const desk = spawnSipp(workDirectory, ['-sf', join(SCENARIO_DIRECTORY, 'bench-desk-answers.xml'), '-i', '127.0.0.1', '-p', String(port), '-mp', String(await freeUdpPort())]);
  for (let attempt = 0; attempt < 500 && !(await udpPortTaken(port)); attempt++) await new Promise((resolve) => setTimeout(resolve, 10));
  return desk;
}

export interface Caller {
  /** National form, e.g. 0612000001. */
  readonly national: string;
  /** E.164 digits without the plus, e.g. 31612000001. */
  readonly e164: string;
}

export interface TrunkCallOptions {
  readonly target: { readonly port: number };
  /** The trunk's own address (any of 127.0.0.0/8 on loopback). */
  readonly sourceAddress: string;
  readonly callers: readonly Caller[];
  /** Calls per second SIPp offers. */
  readonly rate: number;
  /** How long each answered call is held before the trunk sends BYE. */
  readonly holdMs: number;
}

/** SIPp as the trunk: one call per caller, in order, at `rate` calls per second (decimals allowed). */
export async function callFromTrunk(workDirectory: string, options: TrunkCallOptions): Promise<SippExit> {
  mkdirSync(workDirectory, { recursive: true });
  const injection = join(workDirectory, 'callers.csv');
  writeFileSync(injection, ['SEQUENTIAL', ...options.callers.map((caller) => `${caller.national};${caller.e164};`)].join('\n') + '\n');
  const seconds = Math.ceil(options.callers.length / options.rate + options.holdMs / 1000) + 30;
  return spawnSipp(workDirectory, [
    '-sf', join(SCENARIO_DIRECTORY, 'bench-trunk-calls.xml'),
    `127.0.0.1:${options.target.port}`,
    '-i', options.sourceAddress,
    '-p', String(await freeUdpPort(options.sourceAddress)),
    '-mp', String(await freeUdpPort(options.sourceAddress)),
    '-inf', injection,
    '-r', String(options.rate),
    '-m', String(options.callers.length),
    '-d', String(options.holdMs),
    '-recv_timeout', '8000',
    '-timeout', String(seconds),
    '-timeout_error',
    '-trace_rtt', '-rtt_freq', '1',
  ]).done;
}

export interface TracedMessage {
  /** Microseconds since the epoch, from SIPp's stamp (local time; only differences are used). */
  readonly atMicros: number;
  readonly direction: 'sent' | 'received';
  readonly text: string;
}

const STAMP = /^-{20,} (\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})\.(\d{6})$/m;

/** Every message in a SIPp `-trace_msg` file, with its stamp. */
export function readMessageTrace(file: string): TracedMessage[] {
  if (!existsSync(file)) return [];
  const blocks = readFileSync(file, 'utf8').split(/^(?=-{20,} \d{4}-\d{2}-\d{2} )/m);
  const messages: TracedMessage[] = [];
  for (const block of blocks) {
    const stamp = STAMP.exec(block);
    if (!stamp) continue;
    const [, date, time, fraction] = stamp;
    const atMicros = Date.parse(`${date}T${time}`) * 1000 + Number(fraction);
    const body = block.slice(block.indexOf('\n') + 1);
    const direction = /^\S+ message sent/.test(body) ? 'sent' : 'received';
    messages.push({ atMicros, direction, text: body.slice(body.indexOf('\n') + 1).trimStart() });
  }
  return messages;
}

function header(text: string, name: string): string | undefined {
  return new RegExp(`^${name}:\\s*(.*)$`, 'mi').exec(text)?.[1]?.trim();
}

export interface SetupTimes {
  readonly invites: number;
  /** INVITE sent → 200 received at the trunk, per answered call, in nanoseconds. */
  readonly setupNanos: readonly number[];
  /** First INVITE sent to last 200 received, in seconds. */
  readonly spanSeconds: number;
}

/** The trunk's setup time per call: its first INVITE out to the first 200 for that INVITE back. */
export function setupTimes(trace: readonly TracedMessage[]): SetupTimes {
  const invited = new Map<string, number>();
  const answered = new Map<string, number>();
  for (const message of trace) {
    const callId = header(message.text, 'Call-ID');
    if (callId === undefined) continue;
    if (message.direction === 'sent' && message.text.startsWith('INVITE ') && !invited.has(callId)) invited.set(callId, message.atMicros);
    if (message.direction === 'received' && message.text.startsWith('SIP/2.0 200') && /INVITE/.test(header(message.text, 'CSeq') ?? '') && !answered.has(callId)) {
      answered.set(callId, message.atMicros);
    }
  }
  const setupNanos: number[] = [];
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const [callId, sentAt] of invited) {
    first = Math.min(first, sentAt);
    const answeredAt = answered.get(callId);
    if (answeredAt === undefined) continue;
    setupNanos.push((answeredAt - sentAt) * 1000);
    last = Math.max(last, answeredAt);
  }
  return { invites: invited.size, setupNanos, spanSeconds: setupNanos.length > 0 ? (last - first) / 1e6 : 0 };
}

/** SIPp's own RTD 1 samples (whole milliseconds) from the trunk's `-trace_rtt` file. */
export function rtdMillis(workDirectory: string): number[] {
  const file = readdirSync(workDirectory).find((name) => name.endsWith('_rtt.csv'));
  if (!file) return [];
  return readFileSync(join(workDirectory, file), 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.split(';'))
    .filter((fields) => fields[2] === '1' && fields[1] !== undefined && fields[1] !== '')
    .map((fields) => Number(fields[1]));
}

export interface SetupLegs {
  /** Trunk INVITE out → the box's 100 Trying back. */
  readonly tryingNanos: number[];
  /** Trunk INVITE out → the desk's INVITE in: intake, routing, the inside leg's INVITE. */
  readonly toDeskNanos: number[];
  /** Desk INVITE in → desk 200 out: the desk SIPp itself. */
  readonly deskNanos: number[];
  /** Desk 200 out → trunk 200 in: the box's ACK, answer, relay and outside 200. */
  readonly backNanos: number[];
}

/**
 * Splits each setup through the box at the desk. The box gives the inside leg a fresh Call-ID, so
 * calls are paired by order: the n-th trunk INVITE rang the n-th desk INVITE. That holds for one
 * trunk whose calls are far apart next to their setup time; the caller checks the counts agree.
 */
export function setupLegs(trunk: readonly TracedMessage[], desk: readonly TracedMessage[]): SetupLegs | undefined {
  const firstBy = (messages: readonly TracedMessage[], accept: (message: TracedMessage) => boolean): Map<string, number> => {
    const found = new Map<string, number>();
    for (const message of messages) {
      const callId = header(message.text, 'Call-ID');
      if (callId !== undefined && accept(message) && !found.has(callId)) found.set(callId, message.atMicros);
    }
    return found;
  };
  const invited = firstBy(trunk, (m) => m.direction === 'sent' && m.text.startsWith('INVITE '));
  const trying = firstBy(trunk, (m) => m.direction === 'received' && m.text.startsWith('SIP/2.0 100'));
  const answered = firstBy(trunk, (m) => m.direction === 'received' && m.text.startsWith('SIP/2.0 200') && /INVITE/.test(header(m.text, 'CSeq') ?? ''));
  const rung = firstBy(desk, (m) => m.direction === 'received' && m.text.startsWith('INVITE '));
  const deskAnswered = firstBy(desk, (m) => m.direction === 'sent' && m.text.startsWith('SIP/2.0 200') && /INVITE/.test(header(m.text, 'CSeq') ?? ''));
  const trunkCalls = [...invited].sort((a, b) => a[1] - b[1]);
  const deskCalls = [...rung].sort((a, b) => a[1] - b[1]);
  if (trunkCalls.length !== deskCalls.length || trunkCalls.length === 0) return undefined;
  const legs: SetupLegs = { tryingNanos: [], toDeskNanos: [], deskNanos: [], backNanos: [] };
  trunkCalls.forEach(([trunkCallId, sentAt], i) => {
    const [deskCallId, rungAt] = deskCalls[i] ?? [];
    const deskAt = deskCallId === undefined ? undefined : deskAnswered.get(deskCallId);
    const answeredAt = answered.get(trunkCallId);
    const tryingAt = trying.get(trunkCallId);
    if (rungAt === undefined || deskAt === undefined || answeredAt === undefined) return;
    if (tryingAt !== undefined) legs.tryingNanos.push((tryingAt - sentAt) * 1000);
    legs.toDeskNanos.push((rungAt - sentAt) * 1000);
    legs.deskNanos.push((deskAt - rungAt) * 1000);
    legs.backNanos.push((answeredAt - deskAt) * 1000);
  });
  return legs;
}
