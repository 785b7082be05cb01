import { execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { timerScheduler } from '../../src/time/scheduler.js';
import { SipDialog, type SipEndpoint } from '../../src/sip/index.js';
import { answeringDesk, inviteFrom, loopbackEndpoint } from './endpoint-harness.js';
import { sippErrorEvents } from '../support/sipp-errors.js';
import { waitFor } from '../support/wait-for.js';

const REPO = join(import.meta.dirname, '..', '..');
const wallClock = { now: () => Date.now() };
let workDirectory: string;
const started: SipEndpoint[] = [];

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

interface SippRun {
  readonly exitCode: number | null;
  /** SIPp's -trace_err file: every unexpected message or failed check. */
  readonly errors: string;
  readonly stderr: string;
}

/** True once something (SIPp) holds the UDP port. */
async function udpPortTaken(port: number): Promise<boolean> {
  const socket = createSocket('udp4');
  const taken = await new Promise<boolean>((resolve) => {
    socket.once('error', () => resolve(true));
    socket.bind(port, '127.0.0.1', () => resolve(false));
  });
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return taken;
}

/** Runs SIPp to completion (`-m 1`): exit code 0 means every call of the scenario succeeded. */
function runSipp(args: readonly string[]): { done: Promise<SippRun> } {
  const child = spawn('sipp', [...args, '-m', '1', '-timeout', '20', '-trace_err', '-nostdin'], { cwd: workDirectory, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const done = new Promise<SippRun>((resolve) => {
    child.on('exit', (exitCode) => {
      const errors = sippErrorEvents(workDirectory);
      for (const name of readdirSync(workDirectory).filter((file) => file.endsWith('_errors.log'))) rmSync(join(workDirectory, name));
      resolve({ exitCode, errors, stderr });
    });
  });
  return { done };
}

beforeAll(() => {
  execFileSync('bash', [join(REPO, 'scripts', 'ensure-debian-packages.sh'), 'sip-tester:sipp'], { stdio: 'inherit' });
  workDirectory = mkdtempSync(join(tmpdir(), 'hgw-sipp-'));
});

afterEach(async () => {
  await Promise.all(started.splice(0).map((endpoint) => endpoint.stop()));
});

afterAll(() => {
  rmSync(workDirectory, { recursive: true, force: true });
});

describe('against SIPp', () => {
  it('answers SIPp\'s built-in UAC call: 180, 200 with SDP, then its ACK and BYE', async () => {
    const phone = loopbackEndpoint(timerScheduler, wallClock);
    started.push(phone);
    await phone.start();
    const desk = answeringDesk(phone, 'udp');
    const sipp = runSipp(['-sn', 'uac', `127.0.0.1:${phone.localAddress('udp').port}`, '-i', '127.0.0.1', '-p', String(await freeUdpPort()), '-mp', String(await freeUdpPort()), '-d', '100']);
    const result = await sipp.done;
    expect(result.errors).toBe('');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(desk.invites).toHaveLength(1);
    expect(desk.acks).toHaveLength(1);
    expect(desk.byes).toHaveLength(1);
  });

  it('calls SIPp\'s built-in UAS, ACKs its 200 and hangs up with BYE', async () => {
    const box = loopbackEndpoint(timerScheduler, wallClock);
    started.push(box);
    await box.start();
    const sippPort = await freeUdpPort();
    const sipp = runSipp(['-sn', 'uas', '-i', '127.0.0.1', '-p', String(sippPort), '-mp', String(await freeUdpPort())]);
    const target = { transport: 'udp' as const, address: '127.0.0.1', port: sippPort };
    await waitFor(() => udpPortTaken(sippPort), 'SIPp to hold its port');
    const outgoing = box.request(inviteFrom(box, 'udp', target), target);
    const statuses: number[] = [];
    outgoing.onResponse((response) => statuses.push(response.status));
    const final = await outgoing.final;
    expect(final.status).toBe(200);
    const dialog = SipDialog.fromUacResponse(outgoing.request, final);
    await box.sendAck(dialog.createAck(1), dialog.destination('udp'));
    const bye = await box.request(dialog.createRequest('BYE'), dialog.destination('udp')).final;
    expect(bye.status).toBe(200);
    const result = await sipp.done;
    expect(result.errors).toBe('');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(statuses).toEqual([180, 200]);
  });
});
