import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import WebSocket, { WebSocketServer } from 'ws';
import { ChatDesk } from '../../src/chat/chat-desk.js';
import { ChatServer } from '../../src/chat/chat-server.js';
import { ChatTranscripts } from '../../src/chat/chat-transcripts.js';
import type { ChatterFrame } from '../../src/chat/chat-protocol.js';
import { ContactDesk } from '../../src/contacts/contact-desk.js';
import type { ContactReference } from '../../src/contacts/contact-view.js';
import type { SuggestedSpan } from '../../src/contacts/conversation-view.js';
import { PriorContactCounter } from '../../src/contacts/prior-contact-counter.js';
import { silentLogger } from '../../src/log/logger.js';
import { Keyring } from '../../src/privacy/keyring.js';
import { createPseudonymizer } from '../../src/privacy/pseudonym.js';
import { createVault } from '../../src/privacy/vault.js';
import { ContactsRepository } from '../../src/store/contacts-repository.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { RegistrationsRepository } from '../../src/store/registrations-repository.js';
import { TranscriptsRepository } from '../../src/store/transcripts-repository.js';
import type { Clock } from '../../src/time/clock.js';
import { timerScheduler } from '../../src/time/scheduler.js';

/**
 * The chat relay under load: `chats` chatters on real WebSockets to a real ChatServer and ChatDesk
 * (real database, keyring and vault in a temp dir), each writing `ratePerChat` messages a second; an
 * in-process "volunteer" on onChatLine answers every caller line through send(). Measured: caller
 * send -> volunteer listener, and volunteer send -> caller receives. A plain ws echo server under the
 * same clients and load is the baseline. Clients and box share one process and one event loop, so
 * both figures include the clients' own work; the ratio is the box's cost.
 */

export interface ChatRelayOptions {
  readonly chats: number;
  readonly seconds: number;
  readonly ratePerChat: number;
}

export interface DirectionSummary {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface ChatRelayResults {
  readonly chats: number;
  readonly seconds: number;
  readonly ratePerChat: number;
  /** 'detectPii' when src/pii loaded (as main wires it), else 'none'. */
  readonly suggestions: 'detectPii' | 'none';
  readonly box: { readonly callerToVolunteer: DirectionSummary; readonly volunteerToCaller: DirectionSummary; readonly lost: number; readonly linesStored: number };
  readonly baseline: { readonly callerToServer: DirectionSummary; readonly serverToCaller: DirectionSummary; readonly lost: number };
  readonly targetP99Ms: number;
  readonly meetsTarget: boolean;
}

export const TARGET_P99_MS = 20;
/** Samples sent in the first second are dropped: connection set-up and JIT warm-up. */
const WARM_UP_MS = 1_000;
const DRAIN_MS = 750;

function summarize(samples: readonly number[]): DirectionSummary {
  if (samples.length === 0) return { samples: 0, p50Ms: Number.NaN, p99Ms: Number.NaN, maxMs: Number.NaN };
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;
  const round = (ms: number): number => Number(ms.toFixed(3));
  return { samples: sorted.length, p50Ms: round(rank(0.5)), p99Ms: round(rank(0.99)), maxMs: round(sorted.at(-1) ?? Number.NaN) };
}

/** Latencies of one direction: send time by message key, then the arrival of that key. */
export class Direction {
  readonly #sentAt = new Map<string, number>();
  readonly #samples: number[] = [];
  #measureFrom = 0;
  sent = 0;

  startMeasuringAt(at: number): void {
    this.#measureFrom = at;
  }

  send(key: string): void {
    this.sent += 1;
    this.#sentAt.set(key, performance.now());
  }

  arrived(key: string): void {
    const at = this.#sentAt.get(key);
    if (at === undefined) return;
    this.#sentAt.delete(key);
    if (at >= this.#measureFrom) this.#samples.push(performance.now() - at);
  }

  get lost(): number {
    return this.#sentAt.size;
  }

  summary(): DirectionSummary {
    return summarize(this.#samples);
  }
}

async function loadSuggest(): Promise<{ suggest: (text: string) => readonly SuggestedSpan[]; name: 'detectPii' | 'none' }> {
  try {
    const pii = await import('../../src/pii/index.js');
    return { suggest: (text) => pii.detectPii(text), name: 'detectPii' };
  } catch {
    return { suggest: () => [], name: 'none' };
  }
}

/** Opens `count` sockets and runs `sendOne(socket, index, seq)` at `ratePerChat`, phases spread evenly, for `seconds`. */
export async function drive(sockets: readonly WebSocket[], options: ChatRelayOptions, sendOne: (socket: WebSocket, index: number, seq: number) => void): Promise<void> {
  const period = 1000 / options.ratePerChat;
  const timers: NodeJS.Timeout[] = [];
  const starts: NodeJS.Timeout[] = [];
  sockets.forEach((socket, index) => {
    let seq = 0;
    starts.push(
      setTimeout(() => {
        sendOne(socket, index, seq++);
        timers.push(setInterval(() => sendOne(socket, index, seq++), period));
      }, (index * period) / sockets.length),
    );
  });
  await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000));
  for (const timer of [...starts, ...timers]) clearTimeout(timer);
  await new Promise((resolve) => setTimeout(resolve, DRAIN_MS));
}

export function connect(url: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

async function runBox(options: ChatRelayOptions): Promise<{ results: ChatRelayResults['box']; suggestions: ChatRelayResults['suggestions'] }> {
  const root = mkdtempSync(join(tmpdir(), 'hgw-chat-bench-'));
  const clock: Clock = { now: () => Date.now() };
  const logger = silentLogger();
  const keyring = Keyring.open({ directory: join(root, 'keyring'), clock });
  const database = GatewayDatabase.open({ path: join(root, 'gateway.db'), logger });
  const vault = createVault(keyring);
  const contacts = new ContactsRepository(database);
  const intake = new ContactDesk({
    database,
    contacts,
    registrations: new RegistrationsRepository(database),
    pseudonymizer: createPseudonymizer(keyring),
    vault,
    clock,
    timeZone: 'Europe/Amsterdam',
    linkageMonths: 6,
    categories: { ageBands: ['12-14'], topics: ['school'], outcomes: ['conversation'] },
    priorContacts: PriorContactCounter.load(contacts),
    logger,
  });
  const transcripts = new TranscriptsRepository(database);
  const { suggest, name } = await loadSuggest();
  const desk = new ChatDesk({
    intake,
    transcripts: new ChatTranscripts({ database, transcripts, vault, timeZone: 'Europe/Amsterdam' }),
    suggest,
    clock,
    scheduler: timerScheduler,
    logger,
    timeZone: 'Europe/Amsterdam',
    limits: { maxMessageChars: 2000, messagesPerMinute: Math.max(600, Math.ceil(options.ratePerChat * 90)), queueLimit: Math.max(50, options.chats), idleMinutes: 30 },
  });
  const server = new ChatServer({
    desk,
    host: '127.0.0.1',
    port: 0,
    trustedProxies: ['127.0.0.1'],
    maxMessageChars: 2000,
    chatsPerMinutePerAddress: 5,
    clock,
    scheduler: timerScheduler,
    logger,
  });
  const up = new Direction();
  const down = new Direction();
  const sockets: WebSocket[] = [];
  try {
    desk.start();
    const { url } = await server.start();
    desk.onChatChanged((view) => {
      if (view.state === 'queued') queueMicrotask(() => desk.accept(view.reference, `bench-${view.reference}`));
    });
    desk.onChatLine((reference: ContactReference, stationId, line) => {
      if (line.author !== 'caller' || line.redacted) return;
      up.arrived(line.text);
      const answer = `v${line.text.slice(1)}`;
      down.send(answer);
      desk.send(reference, stationId, answer);
    });
    let connected = 0;
    const allConnected = new Promise<void>((resolve) => {
      for (let index = 0; index < options.chats; index++) {
        // One address each, from the benchmarking range, as the site's reverse proxy would forward it.
        const forwardedFor = `198.18.${Math.floor(index / 250)}.${(index % 250) + 1}`;
        void connect(`${url.replace(/^http/, 'ws')}/ws`, { 'X-Forwarded-For': forwardedFor }).then((socket) => {
          sockets.push(socket);
          socket.on('message', (data) => {
            const frame = JSON.parse(String(data)) as ChatterFrame;
            if (frame.type === 'message') down.arrived(frame.text);
            else if (frame.type === 'connected' && ++connected === options.chats) resolve();
          });
          socket.send(JSON.stringify({ type: 'hello' }));
        });
      }
    });
    await allConnected;
    const measureFrom = performance.now() + WARM_UP_MS;
    up.startMeasuringAt(measureFrom);
    down.startMeasuringAt(measureFrom);
    await drive(sockets, options, (socket, index, seq) => {
      const text = `c|${index}|${seq}`;
      up.send(text);
      socket.send(JSON.stringify({ type: 'message', text }));
    });
    return {
      results: { callerToVolunteer: up.summary(), volunteerToCaller: down.summary(), lost: up.lost + down.lost, linesStored: transcripts.count() },
      suggestions: name,
    };
  } finally {
    for (const socket of sockets) socket.terminate();
    await server.stop();
    desk.stop();
    database.close();
    keyring.close();
    rmSync(root, { recursive: true, force: true });
  }
}

async function runBaseline(options: ChatRelayOptions): Promise<ChatRelayResults['baseline']> {
  const up = new Direction();
  const down = new Direction();
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  server.on('connection', (socket) => {
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { text: string };
      up.arrived(frame.text);
      const answer = `v${frame.text.slice(1)}`;
      down.send(answer);
      socket.send(JSON.stringify({ type: 'message', text: answer }));
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const sockets = await Promise.all(Array.from({ length: options.chats }, () => connect(`ws://127.0.0.1:${port}/`, {})));
  for (const socket of sockets) {
    socket.on('message', (data) => down.arrived((JSON.parse(String(data)) as { text: string }).text));
  }
  try {
    const measureFrom = performance.now() + WARM_UP_MS;
    up.startMeasuringAt(measureFrom);
    down.startMeasuringAt(measureFrom);
    await drive(sockets, options, (socket, index, seq) => {
      const text = `c|${index}|${seq}`;
      up.send(text);
      socket.send(JSON.stringify({ type: 'message', text }));
    });
    return { callerToServer: up.summary(), serverToCaller: down.summary(), lost: up.lost + down.lost };
  } finally {
    for (const socket of sockets) socket.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export async function runChatRelayBench(options: ChatRelayOptions): Promise<ChatRelayResults> {
  for (const name of ['chats', 'seconds', 'ratePerChat'] as const) {
    if (!Number.isFinite(options[name]) || options[name] <= 0) throw new TypeError(`runChatRelayBench: ${name} must be a positive number`);
  }
  const baseline = await runBaseline(options);
  const { results: box, suggestions } = await runBox(options);
  return {
    chats: options.chats,
    seconds: options.seconds,
    ratePerChat: options.ratePerChat,
    suggestions,
    box,
    baseline,
    targetP99Ms: TARGET_P99_MS,
    meetsTarget: box.callerToVolunteer.p99Ms < TARGET_P99_MS && box.volunteerToCaller.p99Ms < TARGET_P99_MS,
  };
}

function ratio(box: number, baseline: number): string {
  return baseline > 0 && Number.isFinite(box) ? `${(box / baseline).toFixed(1)}×` : '–';
}

export function renderChatRelayReport(results: ChatRelayResults): string {
  const { box, baseline } = results;
  const row = (path: string, measured: DirectionSummary, plain: DirectionSummary): string =>
    `| ${path} | ${measured.samples} | ${measured.p50Ms} | ${measured.p99Ms} | ${measured.maxMs} | ${plain.p50Ms} | ${plain.p99Ms} | ${ratio(measured.p99Ms, plain.p99Ms)} |`;
  return [
    `### Chat relay: ${results.chats} chats, ${results.ratePerChat} message/s each, ${results.seconds} s`,
    '',
    '| path | samples | p50 ms | p99 ms | max ms | baseline p50 ms | baseline p99 ms | p99 vs baseline |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('caller send → volunteer listener', box.callerToVolunteer, baseline.callerToServer),
    row('volunteer send → caller receives', box.volunteerToCaller, baseline.serverToCaller),
    '',
    `Target p99 < ${results.targetP99Ms} ms both ways: **${results.meetsTarget ? 'met' : 'missed'}**. ` +
      `Every line sealed and stored before it was relayed (${box.linesStored} lines); PII suggestions: ${results.suggestions}. ` +
      `Unanswered messages: ${box.lost} (baseline ${baseline.lost}). Baseline: a plain ws echo server, same clients and load.`,
    '',
  ].join('\n');
}

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`--${name} wants a positive number`);
  return value;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const results = await runChatRelayBench({ chats: option('chats', 200), seconds: option('seconds', 10), ratePerChat: option('rate', 1) });
  console.log(renderChatRelayReport(results));
  console.log(JSON.stringify(results));
}
