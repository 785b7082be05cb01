/**
 * The load side of the busy-evening benchmark: the box process (busy-evening-box.ts) and what
 * talks to it from outside, as a site would: SIPp as trunk and desk phones, volunteer stations on
 * the station WebSocket and HTTP API, chatters on the public chat WebSocket, and a mail server
 * handing mails to the box's SMTP listener. Everything here runs in the bench process; the box
 * runs alone in its own.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import WebSocket from 'ws';
import type { ChatterFrame } from '../../src/chat/chat-protocol.js';
import type { BoxCommand, BoxFigures, BoxReady, BoxReport } from './busy-evening-box.js';
import { benchCallers } from './call-setup-bench.js';
import { connect, Direction, drive } from './chat-relay-bench.js';
import { callFromTrunk, readMessageTrace } from './sipp-runs.js';
import { CATEGORIES } from './stats-bench.js';

export const HELPLINE_MAILBOX = 'hulp@helpline.example';
/** Stations whose desk phone is the one SIPp; enough for every call up at once. */
export function phoneDeskIds(calls: number): string[] {
  return Array.from({ length: calls + 4 }, (_, i) => `desk-${i + 1}`);
}
/** Stations without a desk phone: volunteers who take the chats, and one that only watches. */
export const VOLUNTEERS = 10;
const WATCHER = 'watcher';

export interface BoxConfigOptions {
  readonly directory: string;
  readonly dataDir: string;
  readonly keyringDir: string;
  readonly sipPort: number;
  readonly deskPort: number;
  readonly relayPort: number;
  readonly calls: number;
  readonly chats: number;
  readonly tokens: ReadonlyMap<string, string>;
}

/** The box's config: a SIP line, chat, mail, the desks, an unreachable broker, daily statistics closed without grace. */
export function writeBoxConfig(options: BoxConfigOptions): string {
  const firstRtpPort = 20_000 + 2 * Math.floor(Math.random() * 9_000);
  const desks = [
    ...phoneDeskIds(options.calls).map((id) => ({ id, token: options.tokens.get(id), deskPhone: `sip:${id}@127.0.0.1:${options.deskPort}` })),
    ...[...volunteerIds(), WATCHER].map((id) => ({ id, token: options.tokens.get(id) })),
  ];
  const config = {
    site: { id: 'busy-evening-bench', timeZone: 'Europe/Amsterdam', country: 'NL' },
    dataDir: options.dataDir,
    keyringDir: options.keyringDir,
    policy: { preset: 'allesoke-nl' },
    categories: { topics: CATEGORIES.topics, ageBands: CATEGORIES.ageBands, outcomes: CATEGORIES.outcomes },
    line: {
      kind: 'sip',
      listen: { host: '127.0.0.1', port: options.sipPort },
      advertisedAddress: '127.0.0.1',
      trunkPeers: ['127.0.0.0/8'],
      rtpPorts: { first: firstRtpPort, last: firstRtpPort + 999 },
      routing: { strategy: 'longest-idle', wrapUpMs: 0 },
    },
    stations: { host: '127.0.0.1', port: 0, desks },
    chat: {
      listen: { host: '127.0.0.1', port: 0 },
      trustedProxies: ['127.0.0.1'],
      messagesPerMinute: 600,
      queueLimit: Math.min(1000, Math.max(50, options.chats)),
    },
    mail: {
      smtp: { listen: { host: '127.0.0.1', port: 0 }, recipients: [HELPLINE_MAILBOX] },
      relay: { host: '127.0.0.1', port: options.relayPort, from: 'noreply@helpline.example' },
      mailsPerHourPerSender: 1000,
    },
    // Nobody listens: the outbox keeps the statistics, as on a site whose uplink is down.
    upstream: { url: 'mqtt://127.0.0.1:9', period: 'day', wrapUpGraceMinutes: 0 },
    log: { level: 'info' },
  };
  const path = join(options.directory, 'config.json');
  writeFileSync(path, JSON.stringify(config));
  return path;
}

export function volunteerIds(): string[] {
  return Array.from({ length: VOLUNTEERS }, (_, i) => `volunteer-${i + 1}`);
}

export function stationTokens(calls: number): Map<string, string> {
  return new Map([...phoneDeskIds(calls), ...volunteerIds(), WATCHER].map((id) => [id, randomBytes(32).toString('base64url')]));
}

/** The box in its own process, answering one command at a time. */
export class BoxProcess {
  readonly ready: BoxReady;
  readonly #child: ChildProcess;
  #waiting: ((report: BoxReport) => void) | undefined;

  private constructor(child: ChildProcess, ready: BoxReady) {
    this.#child = child;
    this.ready = ready;
    child.on('message', (report: BoxReport) => {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      waiting?.(report);
    });
  }

  static async start(config: string, clockMs: number): Promise<BoxProcess> {
    const child = fork(join(import.meta.dirname, 'busy-evening-box.ts'), [config, String(clockMs)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const ready = await new Promise<BoxReady>((resolve, reject) => {
      child.once('message', (report: BoxReport) => (report.type === 'ready' ? resolve(report) : reject(new Error(`the box did not start: ${JSON.stringify(report)}`))));
      child.once('exit', (code) => reject(new Error(`the box exited with ${code} before it was ready`)));
    });
    child.removeAllListeners('exit');
    return new BoxProcess(child, ready);
  }

  tell(command: BoxCommand): void {
    this.#child.send(command);
  }

  async ask<T extends BoxReport['type']>(command: BoxCommand, answer: T): Promise<Extract<BoxReport, { type: T }>> {
    const report = await new Promise<BoxReport>((resolve) => {
      this.#waiting = resolve;
      this.#child.send(command);
    });
    if (report.type !== answer) throw new Error(`the box answered ${JSON.stringify(report)} to ${command.type}`);
    return report as Extract<BoxReport, { type: T }>;
  }

  figures(): Promise<BoxFigures> {
    return this.ask({ type: 'figures' }, 'figures');
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.send({ type: 'stop' } satisfies BoxCommand);
    await exited;
  }
}

function wallMicros(): number {
  return (performance.timeOrigin + performance.now()) * 1000;
}

async function stationSocket(stationUrl: string, token: string, onFrame: (frame: { type: string } & Record<string, unknown>) => void): Promise<WebSocket> {
  const socket = new WebSocket(`${stationUrl.replace(/^http/, 'ws')}/api/v1/events`);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  await new Promise<void>((resolve) => {
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as { type: string } & Record<string, unknown>;
      if (frame.type === 'snapshot') resolve();
      onFrame(frame);
    });
    socket.send(JSON.stringify({ type: 'auth', token }));
  });
  return socket;
}

/** The stations of the evening: a watcher that stamps each new phone contact's frame, volunteers who take and answer chats. */
export class Stations {
  /** Wall-clock microseconds at which each new phone contact's first frame arrived, in order. */
  readonly phoneArrivals: number[] = [];
  up = new Direction();
  down = new Direction();
  readonly #seen = new Set<string>();
  readonly #sockets: WebSocket[] = [];
  readonly #stationUrl: string;
  readonly #tokens: ReadonlyMap<string, string>;
  #nextVolunteer = 0;
  accepted = 0;
  httpFailures = 0;

  private constructor(stationUrl: string, tokens: ReadonlyMap<string, string>) {
    this.#stationUrl = stationUrl;
    this.#tokens = tokens;
  }

  static async connect(stationUrl: string, tokens: ReadonlyMap<string, string>): Promise<Stations> {
    const stations = new Stations(stationUrl, tokens);
    stations.#sockets.push(await stationSocket(stationUrl, tokens.get(WATCHER) ?? '', (frame) => stations.#watch(frame)));
    for (const id of volunteerIds()) stations.#sockets.push(await stationSocket(stationUrl, tokens.get(id) ?? '', (frame) => stations.#answer(id, frame)));
    return stations;
  }

  #watch(frame: { type: string } & Record<string, unknown>): void {
    if (frame.type === 'contact') {
      const contact = frame.contact as { reference: string; channel: string };
      if (contact.channel === 'phone' && !this.#seen.has(contact.reference)) {
        this.#seen.add(contact.reference);
        this.phoneArrivals.push(wallMicros());
      }
    } else if (frame.type === 'chat-changed') {
      const chat = frame.chat as { reference: string; state: string };
      if (chat.state !== 'queued' || this.#seen.has(chat.reference)) return;
      this.#seen.add(chat.reference);
      const volunteer = volunteerIds()[this.#nextVolunteer++ % VOLUNTEERS] ?? '';
      void this.#post(volunteer, `/api/v1/chats/${encodeURIComponent(chat.reference)}/accept`).then((ok) => {
        if (ok) this.accepted += 1;
      });
    }
  }

  #answer(volunteer: string, frame: { type: string } & Record<string, unknown>): void {
    if (frame.type !== 'chat-line') return;
    const line = frame.line as { author: string; text: string; redacted: boolean };
    if (line.author !== 'caller' || line.redacted) return;
    this.up.arrived(line.text);
    const answer = `v${line.text.slice(1)}`;
    this.down.send(answer);
    void this.#post(volunteer, `/api/v1/chats/${encodeURIComponent(String(frame.reference))}/messages`, { text: answer });
  }

  async #post(station: string, path: string, body?: unknown): Promise<boolean> {
    try {
      const response = await fetch(`${this.#stationUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.#tokens.get(station) ?? ''}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      await response.text();
      if (!response.ok) this.httpFailures += 1;
      return response.ok;
    } catch {
      this.httpFailures += 1;
      return false;
    }
  }

  /** Fresh latency windows: what is still in flight from before is not counted. */
  newWindow(): void {
    this.up = new Direction();
    this.down = new Direction();
  }

  close(): void {
    for (const socket of this.#sockets) socket.terminate();
  }
}

/** `count` chatters, each from an address of its own behind the proxy, connected to a volunteer. */
export async function openChats(chatUrl: string, count: number, stations: Stations): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  let connected = 0;
  await new Promise<void>((resolve, reject) => {
    if (count === 0) resolve();
    for (let index = 0; index < count; index++) {
      const forwardedFor = `198.18.${Math.floor(index / 250)}.${(index % 250) + 1}`;
      connect(`${chatUrl.replace(/^http/, 'ws')}/ws`, { 'X-Forwarded-For': forwardedFor }).then((socket) => {
        sockets.push(socket);
        socket.on('message', (data) => {
          const frame = JSON.parse(String(data)) as ChatterFrame;
          if (frame.type === 'message') stations.down.arrived(frame.text);
          else if (frame.type === 'connected' && ++connected === count) resolve();
        });
        socket.send(JSON.stringify({ type: 'hello' }));
      }, reject);
    }
  });
  return sockets;
}

/** Every chatter writes a line a second for `seconds`; the volunteers answer each one. */
export async function chatFor(sockets: readonly WebSocket[], stations: Stations, seconds: number, tag: string): Promise<void> {
  const from = performance.now();
  stations.up.startMeasuringAt(from);
  stations.down.startMeasuringAt(from);
  await drive(sockets, { chats: sockets.length, seconds, ratePerChat: 1 }, (socket, index, seq) => {
    const text = `c|${tag}|${index}|${seq}`;
    stations.up.send(text);
    socket.send(JSON.stringify({ type: 'message', text }));
  });
}

export interface PhoneFlow {
  /** Trunk INVITE sent → the station's first frame of that contact, ms, in call order. */
  readonly lineToStationMs: readonly number[];
  /**
   * Pairs whose station frame is stamped before SIPp's INVITE: SIPp stamps a message when it writes
   * its trace, after the send, and a starved SIPp can write it after the box has already shown the
   * call. Left out of the figures and counted, never clamped to zero.
   */
  readonly stampedLate: number;
  readonly offered: number;
  readonly framesSeen: number;
  readonly sippExit: number | null;
}

/**
 * `count` calls from the SIPp trunk at `rate`/s, each held `holdMs`. A call's INVITE (SIPp's
 * stamp, wall clock µs) is paired with the n-th new phone contact frame at the watcher (the box
 * takes one trunk's calls in order), so line-to-station runs from the trunk to the station's screen.
 */
export async function phoneCalls(workDirectory: string, options: { sipPort: number; count: number; rate: number; holdMs: number; base: number }, stations: Stations): Promise<PhoneFlow> {
  const from = stations.phoneArrivals.length;
  const exit = await callFromTrunk(workDirectory, { target: { port: options.sipPort }, sourceAddress: '127.0.0.1', callers: benchCallers(options.count, options.base, options.base + 7), rate: options.rate, holdMs: options.holdMs });
  const invites: number[] = [];
  const seen = new Set<string>();
  for (const message of readMessageTrace(join(workDirectory, 'messages.log'))) {
    const callId = /^Call-ID:\s*(.*)$/im.exec(message.text)?.[1]?.trim();
    if (message.direction !== 'sent' || !message.text.startsWith('INVITE ') || callId === undefined || seen.has(callId)) continue;
    seen.add(callId);
    invites.push(message.atMicros);
  }
  const arrivals = stations.phoneArrivals.slice(from);
  const paired = invites.slice(0, arrivals.length).map((sentAt, i) => ((arrivals[i] ?? sentAt) - sentAt) / 1000);
  const lineToStationMs = paired.filter((ms) => ms >= 0);
  return { lineToStationMs, stampedLate: paired.length - lineToStationMs.length, offered: invites.length, framesSeen: arrivals.length, sippExit: exit.exitCode };
}

/** Mails handed to the box's SMTP listener at `perMinute` until `until` resolves; how many it took and refused. */
export async function mailUntil(port: number, perMinute: number, until: Promise<unknown>): Promise<{ sent: number; refused: number }> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, logger: false, pool: true, maxConnections: 1 });
  let done = false;
  void until.finally(() => {
    done = true;
  });
  let sent = 0;
  let refused = 0;
  try {
    while (!done && perMinute > 0) {
      const index = sent + refused;
      try {
        await transport.sendMail({
          from: `afzender${index}@mail.example`,
          to: HELPLINE_MAILBOX,
          subject: `Vraag ${index}`,
          text: 'Hoi, ik wil graag iets vragen over school. Kunnen jullie me helpen?\n',
        });
        sent += 1;
      } catch {
        refused += 1;
      }
      await Promise.race([until, new Promise((resolve) => setTimeout(resolve, 60_000 / perMinute))]);
    }
  } finally {
    transport.close();
  }
  return { sent, refused };
}
