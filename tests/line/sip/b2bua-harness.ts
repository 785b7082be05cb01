/**
 * The B2BUA on loopback for the integration tests: a SipLine with a real SipEndpoint, a real
 * CallRouter, a fake intake that records what it was handed, a pool of RTP ports and a prompt
 * library of one-frame segments (so a Time Out message plays in a fraction of a second).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContactReference } from '../../../src/contacts/contact-view.js';
import type { OfferedCall } from '../../../src/line/line-interface.js';
import { SipLine, type IntakeModeration, type ListenAlongEvent, type SipIntake, type SipIntakeResult } from '../../../src/line/sip/index.js';
import { silentLogger } from '../../../src/log/index.js';
import { PROMPT_SEGMENTS, PromptLibrary } from '../../../src/media/index.js';
import { CallRouter, type RoutingOptionsInput } from '../../../src/routing/index.js';
import { SipEndpoint } from '../../../src/sip/index.js';
import { timerScheduler } from '../../../src/time/scheduler.js';
import { randomPortPool } from '../../media/rtp-endpoint.js';
import { sippErrorEvents } from '../../support/sipp-errors.js';
import { waitFor } from '../../support/wait-for.js';

export const REPO = join(import.meta.dirname, '..', '..', '..');
export const SCENARIOS = join(import.meta.dirname, 'scenarios');
export const wallClock = { now: () => Date.now() };

/**
 * Every rendering of the test caller's number a leak could take (digits, E.164, national, spaced).
 * The country code counts only at the start of a token and before the 6: "0031" inside a random
 * Via branch (z9hG4bK8f07f100319f…) once failed a clean run.
 */
export const CALLER_DIGIT_PATTERNS: readonly RegExp[] = [
  /612345678/,
  /6\D{0,3}1\D{0,3}2\D{0,3}3\D{0,3}4\D{0,3}5\D{0,3}6\D{0,3}7\D{0,3}8/,
  /(?<![0-9A-Za-z])(\+|00)\s*31[\D0]{0,3}6/,
];

export class FakeIntake implements SipIntake {
  readonly offered: OfferedCall[] = [];
  readonly ended: string[] = [];
  moderation: IntakeModeration | null = null;
  priorContacts = 4;

  offerCall(call: OfferedCall): SipIntakeResult {
    this.offered.push(call);
    return { reference: randomReference(), priorContacts: this.priorContacts, callerKnown: call.caller.kind === 'number', moderation: this.moderation };
  }

  endCall(lineCallId: string): void {
    this.ended.push(lineCallId);
  }
}

function randomReference(): ContactReference {
  const alphabet = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
  const pick = (): string => Array.from({ length: 3 }, () => alphabet[randomInt(alphabet.length)]).join('');
  return `${pick()}-${pick()}` as ContactReference;
}

/** One 20 ms frame of 1 kHz tone per segment: every message plays, and plays fast. */
export function writeShortPrompts(directory: string): string {
  const folder = join(directory, 'prompts');
  mkdirSync(folder, { recursive: true });
  const samples = 160;
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write('RIFF', 0);
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write('WAVE', 8);
  wav.write('fmt ', 12);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(8000, 24);
  wav.writeUInt32LE(16000, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36);
  wav.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) wav.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / 8000)), 44 + 2 * i);
  for (const segment of PROMPT_SEGMENTS) writeFileSync(join(folder, `${segment}.wav`), wav);
  return `${folder}/`;
}

export async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

export interface BoxOptions {
  readonly stations: ReadonlyArray<{ readonly id: string; readonly port: number }>;
  readonly trunkPeers?: readonly string[];
  readonly routing?: RoutingOptionsInput;
  readonly mediaTimeoutMs?: number;
}

export interface Box {
  readonly line: SipLine;
  readonly router: CallRouter;
  readonly endpoint: SipEndpoint;
  readonly intake: FakeIntake;
  readonly port: number;
  readonly rings: string[];
  readonly stopRings: Array<[string, string]>;
  readonly listenAlong: ListenAlongEvent[];
  stop(): Promise<void>;
}

export async function startBox(directory: string, options: BoxOptions): Promise<Box> {
  const logger = silentLogger();
  const endpoint = new SipEndpoint({ udp: { host: '127.0.0.1', port: 0 }, logger, clock: wallClock, scheduler: timerScheduler });
  const router = new CallRouter({
    clock: wallClock,
    scheduler: timerScheduler,
    logger,
    routing: { ringTimeoutMs: 1000, wrapUpMs: 0, ...options.routing },
    stations: options.stations.map(({ id, port }) => ({ id, displayName: id, deskTarget: `sip:${id}@127.0.0.1:${port}`, group: 'day' })),
  });
  const rings: string[] = [];
  const stopRings: Array<[string, string]> = [];
  router.on('ring', (stationId) => rings.push(stationId));
  router.on('stopRinging', (stationId, _reference, reason) => stopRings.push([stationId, reason]));
  const intake = new FakeIntake();
  const listenAlong: ListenAlongEvent[] = [];
  const line = new SipLine({
    endpoint,
    intake,
    router,
    prompts: await PromptLibrary.load(writeShortPrompts(directory)),
    rtpPool: randomPortPool(),
    trunkPeers: options.trunkPeers ?? ['127.0.0.1'],
    country: 'NL',
    timeZone: 'Europe/Amsterdam',
    boxHost: 'box.helpline.invalid',
    mediaAddress: '127.0.0.1',
    mediaTimeoutMs: options.mediaTimeoutMs ?? 0,
    onListenAlong: (event) => listenAlong.push(event),
    clock: wallClock,
    scheduler: timerScheduler,
    logger,
  });
  router.start();
  await line.start();
  return {
    line, router, endpoint, intake, rings, stopRings, listenAlong,
    port: endpoint.localAddress('udp').port,
    stop: async () => {
      await line.stop();
      router.stop();
    },
  };
}

export interface SippRun {
  readonly exitCode: number | null;
  /** SIPp's error events, without its overload warnings (tests/support/sipp-errors.ts). */
  readonly errors: string;
  readonly stderr: string;
  /** Every message SIPp sent and received (-trace_msg), as raw text. */
  readonly messages: string;
}

export function ensureSipp(): void {
  execFileSync('bash', [join(REPO, 'scripts', 'ensure-debian-packages.sh'), 'sip-tester:sipp'], { stdio: 'inherit' });
}

export function tempDirectory(): string {
  return mkdtempSync(join(tmpdir(), 'hgw-b2bua-'));
}

export function removeDirectory(directory: string): void {
  rmSync(directory, { recursive: true, force: true });
}

/** Runs one SIPp call (`-m 1`) from `scenario` in its own directory, with the message trace on. */
const running = new Set<ChildProcess>();

/** Ends the SIPp processes a failed test left behind (by their own pid). */
export function killSipps(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

export function runSipp(directory: string, name: string, args: readonly string[]): { done: Promise<SippRun> } {
  const workDirectory = join(directory, name);
  mkdirSync(workDirectory, { recursive: true });
  const messageFile = join(workDirectory, 'messages.log');
  const child = spawn('sipp', [...args, '-m', '1', '-timeout', '15', '-timeout_error', '-trace_err', '-trace_msg', '-message_file', messageFile, '-nostdin'], {
    cwd: workDirectory,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.add(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<SippRun>((resolve) => {
    child.on('exit', (exitCode) => {
      running.delete(child);
      const messages = existsSync(messageFile) ? readFileSync(messageFile, 'utf8') : '';
      resolve({ exitCode, errors: sippErrorEvents(workDirectory), stderr, messages });
    });
  });
  return { done };
}

export function scenario(name: string): string {
  return join(SCENARIOS, `${name}.xml`);
}

/** SIPp as a desk phone on `port`; resolves once it holds the port. */
export async function startDesk(directory: string, name: string, scenarioName: string, port: number, extra: readonly string[] = []): Promise<{ done: Promise<SippRun> }> {
  const run = runSipp(directory, name, ['-sf', scenario(scenarioName), '-i', '127.0.0.1', '-p', String(port), '-mp', String(await freeUdpPort()), ...extra]);
  await waitFor(() => udpPortTaken(port), `SIPp desk ${name} to hold its port`);
  return run;
}

/** SIPp as the trunk, calling the box. */
export async function callFromTrunk(directory: string, name: string, scenarioName: string, boxPort: number, extra: readonly string[] = []): Promise<SippRun> {
  return runSipp(directory, name, ['-sf', scenario(scenarioName), `127.0.0.1:${boxPort}`, '-i', '127.0.0.1', '-p', String(await freeUdpPort()), '-mp', String(await freeUdpPort()), ...extra]).done;
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
