import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { StationClient } from '../e2e/whole-box-harness.js';
import { probeFor, scanBytes } from '../support/identifier-scanner.js';
import { PtyModemFeeder } from '../support/pty-modem.js';
import { PlainNodeEntry } from './box-process.js';
import { faultBoxConfig } from './fault-box.js';
import { CALLERS, FaultRig } from './fault-rig.js';
import { modemLinesFor } from './known-callers.js';
import { bySize, recordFault, resilienceSeed, seededRandom } from './soak-size.js';

/**
 * Fault suite, corrupt files at start (issue 8): the keyring file (truncated, emptied, flipped
 * bytes, JSON that is no keyring, a cut key-encryption key) and the config file (broken JSON, a
 * value out of the schema, missing). `helpline-gateway run` itself, in a child process as systemd
 * starts it, must refuse with one line `helpline-gateway: HGW_…: …` and exit status 1, before it
 * touches anything stored: the database's bytes stay as they were and the keyring is not rewritten.
 * Once the file is right again the box starts whole: the same caller is still linked to the calls
 * before. `helpline-gateway doctor` names the failing check.
 */
const RANDOM_FLIPS = bySize(1, 25);
const seed = resilienceSeed();
const random = seededRandom(seed);

let cli: PlainNodeEntry;
let rig: FaultRig | undefined;

beforeAll(() => {
  cli = new PlainNodeEntry(fileURLToPath(new URL('../../src/cli/helpline-gateway.ts', import.meta.url)));
});

afterAll(() => cli.remove());

afterEach(async () => {
  await rig?.cleanup();
  rig = undefined;
});

interface CliExit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `helpline-gateway <args>` to its end (a start that fails exits by itself). */
function runToExit(args: readonly string[]): Promise<CliExit> {
  const child = spawn(process.execPath, [cli.script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** `helpline-gateway run` until it serves; stop() sends SIGTERM, as `systemctl stop` does. */
async function runUntilReady(configPath: string): Promise<{ stationUrl: string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [cli.script, 'run', '--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stationUrl = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const ready = stdout
        .split('\n')
        .slice(0, -1)
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { msg?: string; stations?: string })
        .find((line) => line.msg === 'gateway ready');
      if (ready?.stations) resolve(ready.stations);
    });
    void exited.then((code) => reject(new Error(`the box exited (${code}) before it was ready: ${stderr.slice(0, 2000)}`)));
  });
  return {
    stationUrl,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

const sha256 = (path: string): string => (existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'absent');

/** The bytes of every stored file: the database (with its -wal and -shm) and the keyring directory. */
function storedFiles(dataDir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(dataDir)) if (name.startsWith('gateway.db')) files[name] = sha256(join(dataDir, name));
  for (const name of readdirSync(join(dataDir, 'keyring'))) files[`keyring/${name}`] = sha256(join(dataDir, 'keyring', name));
  return files;
}

/** A different base64 character at one position inside one wrapped key: the key no longer unwraps. */
function flipInWrappedKey(keyring: Buffer, pick: () => number): Buffer {
  const text = keyring.toString('utf8');
  const spans = [...text.matchAll(/"wrapped": "([A-Za-z0-9+/]+)/g)].map((match) => ({ start: (match.index ?? 0) + match[0].length - (match[1]?.length ?? 0), length: match[1]?.length ?? 0 }));
  const span = spans[Math.floor(pick() * spans.length)];
  if (!span) throw new Error('the keyring has no wrapped key');
  const at = span.start + Math.floor(pick() * span.length);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const replacement = alphabet[(alphabet.indexOf(text[at] ?? 'A') + 1 + Math.floor(pick() * 62)) % 64] ?? 'A';
  return Buffer.from(text.slice(0, at) + replacement + text.slice(at + 1), 'utf8');
}

describe('fault: a corrupt keyring or config file at start (helpline-gateway run in a child process)', () => {
  it('refuses to start with one HGW_* line and exit status 1, touches nothing stored, and starts whole once the file is right', { timeout: bySize(120_000, 600_000) }, async () => {
    const r = (rig = await FaultRig.start());
    const dataDir = join(r.directory, 'data');
    const keyringPath = join(dataDir, 'keyring', 'keyring.json');
    const token = randomBytes(32).toString('base64url');
    const configPath = join(r.directory, 'config.json');
    const config = JSON.stringify(faultBoxConfig({ dataDir, token, modemPath: r.modem.modemPath, brokerUrl: r.brokerUrl }));
    writeFileSync(configPath, config, { mode: 0o600 });
    const feeder = new PtyModemFeeder(r.modem.feederPath);
    r.later(() => feeder.close());

    /** A run that takes `calls` calls from CALLERS[0] and wraps them up; how many earlier contacts the station was shown for each. */
    const takeCalls = async (calls: number, firstStyle: number): Promise<number[]> => {
      const box = await runUntilReady(configPath);
      const station = await StationClient.connect(box.stationUrl, token);
      const prior: number[] = [];
      try {
        for (let style = firstStyle; style < firstStyle + calls; style++) {
          const from = station.contactFrames.length;
          feeder.print(...modemLinesFor(CALLERS[0] ?? CALLERS[1]!, style));
          const ringing = await station.contactFrame(from, (contact) => contact.state === 'ringing', 'a ringing contact');
          expect(ringing.recorded).toBe(true);
          await station.contactFrame(from, (contact) => contact.reference === ringing.reference && contact.state !== 'ringing', 'the call to end');
          expect((await station.wrapUp(ringing.reference, { ageBand: '8-11', topic: 'school', outcome: 'referred' })).status).toBe(200);
          prior.push(ringing.priorContacts ?? 0);
        }
        return prior;
      } finally {
        await station.close();
        expect(await box.stop()).toBe(0);
      }
    };
    expect(await takeCalls(2, 0)).toEqual([0, 1]);
    const stored = storedFiles(dataDir);
    const goodKeyring = readFileSync(keyringPath);
    const kekName = readdirSync(join(dataDir, 'keyring')).find((name) => name.startsWith('kek'));
    if (!kekName) throw new Error('no key-encryption key file');
    const kekPath = join(dataDir, 'keyring', kekName);
    const goodKek = readFileSync(kekPath);
    const probes = [probeFor(CALLERS[0]!)];

    const cases: Array<{ name: string; file: string; content: Buffer | undefined; code: RegExp }> = [
      { name: 'keyring: zero-length', file: keyringPath, content: Buffer.alloc(0), code: /^HGW_KEYRING_CORRUPT$/ },
      { name: 'keyring: truncated', file: keyringPath, content: goodKeyring.subarray(0, Math.floor(goodKeyring.length / 2)), code: /^HGW_KEYRING_CORRUPT$/ },
      { name: 'keyring: JSON that is no keyring', file: keyringPath, content: Buffer.from('{"version":1,"keys":[]}\n'), code: /^HGW_KEYRING_CORRUPT$/ },
      { name: 'keyring: bytes that are not UTF-8', file: keyringPath, content: Buffer.concat([goodKeyring.subarray(0, 40), Buffer.from([0xff, 0xfe, 0x00]), goodKeyring.subarray(43)]), code: /^HGW_KEYRING_CORRUPT$/ },
      ...Array.from({ length: RANDOM_FLIPS }, (_, index) => ({ name: `keyring: a flipped byte in a wrapped key (${index + 1})`, file: keyringPath, content: flipInWrappedKey(goodKeyring, random), code: /^HGW_KEYRING_CORRUPT$/ })),
      { name: 'key-encryption key: cut short', file: kekPath, content: goodKek.subarray(0, 16), code: /^HGW_KEYRING_CORRUPT$/ },
      { name: 'key-encryption key: zero-length', file: kekPath, content: Buffer.alloc(0), code: /^HGW_KEYRING_MISSING_KEK$/ },
      { name: 'config: broken JSON', file: configPath, content: Buffer.from(config.slice(0, Math.floor(config.length * 0.6))), code: /^HGW_CONFIG_INVALID$/ },
      { name: 'config: a value out of the schema', file: configPath, content: Buffer.from(config.replace('"Europe/Amsterdam"', '"Europe/Atlantis"')), code: /^HGW_CONFIG_INVALID$/ },
      { name: 'config: an unknown key', file: configPath, content: Buffer.from(config.replace('{', '{"sitee":{},')), code: /^HGW_CONFIG_INVALID$/ },
      { name: 'config: missing', file: configPath, content: undefined, code: /^HGW_CONFIG_UNREADABLE$/ },
    ];

    const seen: Record<string, string> = {};
    for (const fault of cases) {
      const original = readFileSync(fault.file);
      if (fault.content === undefined) renameSync(fault.file, `${fault.file}.away`);
      else writeFileSync(fault.file, fault.content);
      const wrote = storedFiles(dataDir);
      try {
        const exit = await runToExit(['run', '--config', configPath]);
        // One line on stderr, the code and a message naming the file, never its content.
        const lines = exit.stderr.split('\n').filter((line) => line !== '');
        expect(lines, fault.name).toHaveLength(1);
        const match = /^helpline-gateway: (HGW_[A-Z_]+): (.+)$/.exec(lines[0] ?? '');
        expect(match, `${fault.name}: ${lines[0]}`).not.toBeNull();
        expect(match?.[1], fault.name).toMatch(fault.code);
        expect(exit.code, fault.name).toBe(1);
        expect(scanBytes('stderr', Buffer.from(exit.stderr + exit.stdout), probes)).toEqual([]);
        if (fault.file === keyringPath) expect(exit.stderr).not.toContain(goodKeyring.toString('utf8').slice(20, 60));
        // Nothing stored was touched: the database as it was, the keyring (corrupt or not) not rewritten.
        expect(storedFiles(dataDir), fault.name).toEqual(wrote);
        seen[fault.name] = lines[0] ?? '';
      } finally {
        if (fault.content === undefined) renameSync(`${fault.file}.away`, fault.file);
        else writeFileSync(fault.file, original);
      }
    }
    expect(storedFiles(dataDir)).toEqual(stored);

    // Under systemd the unit starts it again every 10 s; `doctor` says which check fails.
    writeFileSync(keyringPath, goodKeyring.subarray(0, 100));
    const doctor = await runToExit(['doctor', '--config', configPath]);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/^FAIL keyring\s+HGW_KEYRING_CORRUPT: /m);
    writeFileSync(keyringPath, goodKeyring);

    // The files are right again: the box starts, everything stored is there and the caller is still linked.
    expect(await takeCalls(1, 2)).toEqual([2]);
    const database = GatewayDatabase.open({ path: join(dataDir, 'gateway.db'), logger: silentLogger() });
    let recordsAfter: number;
    try {
      expect(database.integrityCheck()).toBe('ok');
      expect(database.get('SELECT (SELECT COUNT(*) FROM contacts) AS contacts, (SELECT COUNT(*) FROM registrations) AS registrations')).toEqual({ contacts: 3, registrations: 3 });
      recordsAfter = 6;
    } finally {
      database.close();
    }
    process.stdout.write(`corrupt files at start (seed ${seed}): ${JSON.stringify(seen, null, 1)}\n`);
    await recordFault('corrupt-keyring', {
      injected: cases.filter((fault) => fault.file !== configPath).length,
      recordsBefore: 4,
      recordsAfter,
      recordsLost: 0,
      endState: 'start refused: one line "helpline-gateway: HGW_KEYRING_CORRUPT|HGW_KEYRING_MISSING_KEK: …", exit 1, before the panel is opened; database and keyring bytes unchanged; starts whole once the file is restored',
    });
    await recordFault('corrupt-config', {
      injected: cases.filter((fault) => fault.file === configPath).length,
      recordsBefore: 4,
      recordsAfter,
      recordsLost: 0,
      endState: 'start refused: one line "helpline-gateway: HGW_CONFIG_INVALID|HGW_CONFIG_UNREADABLE: …", exit 1, before anything is opened; stored files unchanged; starts whole once the file is right',
    });
  });
});
