import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ipaddr from 'ipaddr.js';
import type { Page } from 'playwright-core';
import { validateConfig, type GatewayConfig } from '../../src/config/load-config.js';

/**
 * Helpers for the end-to-end chat test: the Lumi box's config with a line that never rings, every
 * text rendering of an IPv4 address a leak could take, and a recorder of all a page receives.
 */

export const DESK_ID = 'desk-1';

/**
 * A BE box on the Lumi preset with one desk, the chat behind a proxy on 127.0.0.1, and a replay
 * line whose transcript holds no call, so no phone contact ever shows on the station page.
 */
export function quietLumiConfig(directory: string, deskToken: string): GatewayConfig {
  const transcript = join(directory, 'no-calls.txt');
  writeFileSync(transcript, '# this box gets no phone calls: the test is about the chat\n');
  return validateConfig(
    {
      site: { id: 'chat-e2e', timeZone: 'Europe/Brussels', country: 'BE' },
      dataDir: join(directory, 'data'),
      policy: { preset: 'lumi-be' },
      categories: { topics: ['school'], ageBands: ['12-15'], outcomes: ['listened'] },
      line: { kind: 'replay', transcript, loop: false },
      stations: { host: '127.0.0.1', port: 0, desks: [{ id: DESK_ID, token: deskToken }] },
      chat: { listen: { host: '127.0.0.1', port: 0 }, trustedProxies: ['127.0.0.1'] },
      // Nobody listens here: the outbox keeps the statistics, which this test does not look at.
      upstream: { url: 'mqtt://127.0.0.1:9', period: 'day' },
      log: { level: 'debug' },
    },
    'chat e2e config',
  );
}

export interface Rendering {
  readonly label: string;
  readonly text: string;
}

/** An IPv4 address as a page or a frame could carry it: dotted, padded, hex, integer, IPv4-mapped. */
export function ipv4Renderings(address: string): Rendering[] {
  const parsed = ipaddr.IPv4.parse(address);
  const bytes = Buffer.from(parsed.toByteArray());
  const hex = bytes.toString('hex');
  const mappedHex = `::ffff:${hex.slice(0, 4).replace(/^0+/, '')}:${hex.slice(4).replace(/^0+/, '')}`;
  return [
    { label: 'dotted', text: parsed.toString() },
    { label: 'zero-padded', text: parsed.octets.map((octet) => String(octet).padStart(3, '0')).join('.') },
    { label: 'hex', text: hex },
    { label: 'HEX', text: hex.toUpperCase() },
    { label: 'integer', text: String(bytes.readUInt32BE(0)) },
    { label: 'mapped dotted', text: `::ffff:${parsed.toString()}` },
    { label: 'mapped hex', text: mappedHex },
    { label: 'base64', text: bytes.toString('base64') },
  ];
}

/** `where: label` for each rendering found in `text`. */
export function sightingsIn(where: string, text: string, renderings: readonly Rendering[]): string[] {
  return renderings.filter((rendering) => text.includes(rendering.text)).map((rendering) => `${where}: ${rendering.label}`);
}

export interface Received {
  /** Arrival order across frames and responses, to tell what came before and after a step. */
  readonly seq: number;
  readonly source: string;
  readonly text: string;
}

export interface TrafficRecorder {
  /** The next sequence number: everything received from now on has at least this one. */
  mark(): number;
  /** Every WebSocket frame and HTTP response body received so far, once the bodies are read. */
  received(): Promise<Received[]>;
  /** Script errors and console errors on the page. */
  readonly problems: string[];
  /** Pages and routes that answered with an error status (`status path`). */
  readonly failures: string[];
}

/** Records everything a page receives, and accepts every confirm() it shows. */
export function recordTraffic(page: Page): TrafficRecorder {
  let seq = 0;
  const frames: Received[] = [];
  const bodies: Promise<Received>[] = [];
  const problems: string[] = [];
  const failures: string[] = [];
  page.on('websocket', (socket) => {
    const source = `ws ${new URL(socket.url()).pathname}`;
    socket.on('framereceived', (frame) => frames.push({ seq: seq++, source, text: typeof frame.payload === 'string' ? frame.payload : frame.payload.toString('utf8') }));
  });
  page.on('response', (response) => {
    const at = seq++;
    const source = `${response.status()} ${new URL(response.url()).pathname}`;
    if (response.status() >= 400) failures.push(source);
    bodies.push(response.text().then((text) => ({ seq: at, source, text }), () => ({ seq: at, source, text: '' })));
  });
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('dialog', (dialog) => void dialog.accept());
  return {
    problems,
    failures,
    mark: () => seq,
    received: async () => [...frames, ...(await Promise.all(bodies))].sort((a, b) => a.seq - b.seq),
  };
}
