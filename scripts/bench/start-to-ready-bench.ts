/**
 * Box start-to-ready time (issue 7): from the start of the process to `startGateway` resolved (line
 * up, station server listening, upstream started), with an empty store and with a store of
 * 1,000,000 contacts, as the box runs it: plain JavaScript compiled by tsc (no tsx), a process of
 * its own per start, the shipped pragmas. Where the time goes is split at two marks: the modules
 * loaded, and the prior-contact index loaded (the store's six months of pseudonyms read into
 * memory, which dominates a large store's start); the store's opening (quick_check) is a third.
 *
 * The populated store is the benchmark's own (scripts/bench/population.ts, cached under .bench/):
 * a copy of it for every start, so each start finds the same file. It was just copied, so it is in
 * the page cache: a box's first start after power-on reads it from flash and takes longer.
 *
 *   node --import tsx scripts/bench/start-to-ready-bench.ts [--contacts 0,1000000] [--repetitions 3]
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MEASUREMENT_START, ensurePopulation } from './population.js';

export interface StartToReadyOptions {
  /** Stored contacts of each store to start with; 0 is a fresh box (keyring and schema made at start). */
  readonly contacts: readonly number[];
  readonly repetitions: number;
  readonly cacheRoot: string;
  readonly log?: (line: string) => void;
}

/** One start, in milliseconds since the process started. */
export interface StartTiming {
  readonly modulesLoadedMs: number;
  /** The store open: pragmas set, migrations applied, quick_check done. */
  readonly storeOpenMs: number;
  readonly indexLoadedMs: number;
  readonly readyMs: number;
  /** CPU time (user + system, all threads) the process used until ready. */
  readonly cpuMs: number;
  /** Measured by the parent: spawn() to the child's report, so process creation is in it. */
  readonly spawnToReadyMs: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
}

export interface StartToReadyRow {
  readonly contacts: number;
  readonly starts: readonly StartTiming[];
  /** The median start by readyMs (the lower middle one for an even count). */
  readonly median: StartTiming;
}

export interface StartToReadyResults {
  readonly rows: readonly StartToReadyRow[];
  readonly machine: string;
  readonly date: string;
}

const REPOSITORY = resolve(import.meta.dirname, '..', '..');

/** The gateway and the child compiled to JavaScript in `directory`, as dist/ is on the box. */
function compile(directory: string): string {
  const out = join(directory, 'out');
  const tsconfig = join(directory, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(REPOSITORY, 'tsconfig.json'),
      compilerOptions: { rootDir: REPOSITORY, outDir: out, noEmit: false, sourceMap: false, typeRoots: [join(REPOSITORY, 'node_modules', '@types')] },
      include: [],
      files: [join(REPOSITORY, 'scripts', 'bench', 'start-to-ready-child.ts')],
    }),
  );
  execFileSync(join(REPOSITORY, 'node_modules', '.bin', 'tsc'), ['-p', tsconfig], { stdio: 'inherit' });
  // What the compiled files read or resolve beside them: "type": "module", the version, the packages.
  cpSync(join(REPOSITORY, 'package.json'), join(out, 'package.json'));
  symlinkSync(join(REPOSITORY, 'node_modules'), join(out, 'node_modules'));
  return join(out, 'scripts', 'bench', 'start-to-ready-child.js');
}

function writeConfig(directory: string, dataDir: string, keyringDir: string): string {
  const example = JSON.parse(readFileSync(join(REPOSITORY, 'docs', 'config.example.json'), 'utf8')) as Record<string, unknown>;
  const transcript = join(directory, 'quiet-line.txt');
  // A line that is up and stays quiet: no call during the measurement.
  writeFileSync(transcript, 'WAIT 3600000\n');
  const path = join(directory, 'config.json');
  writeFileSync(
    path,
    JSON.stringify({
      ...example,
      dataDir,
      keyringDir,
      line: { kind: 'replay', transcript },
      stations: { host: '127.0.0.1', port: 0, desks: [{ id: 'desk-1', token: 'a-bench-station-token-of-32-characters' }] },
      // Nobody listens there: the upstream starts and keeps trying in the background, as offline.
      upstream: { url: 'mqtt://127.0.0.1:9', period: 'day' },
      log: { level: 'info' },
    }),
  );
  return path;
}

async function startOnce(child: string, config: string): Promise<StartTiming> {
  const started = performance.now();
  const process_ = spawn(process.execPath, ['--expose-gc', child, config, String(MEASUREMENT_START)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  let spawnToReadyMs: number | undefined;
  process_.stdout.setEncoding('utf8');
  process_.stdout.on('data', (chunk: string) => {
    output += chunk;
    if (spawnToReadyMs === undefined && output.includes('\n')) spawnToReadyMs = performance.now() - started;
  });
  const code = await new Promise<number | null>((resolveExit) => process_.once('exit', resolveExit));
  if (code !== 0 || spawnToReadyMs === undefined) throw new Error(`the start exited with ${code} before it was ready`);
  const reported = JSON.parse(output.split('\n')[0] ?? '{}') as Omit<StartTiming, 'spawnToReadyMs'>;
  return { ...reported, spawnToReadyMs };
}

export async function runStartToReadyBench(options: StartToReadyOptions): Promise<StartToReadyResults> {
  const log = options.log ?? (() => undefined);
  const directory = mkdtempSync(join(tmpdir(), 'hgw-start-bench-'));
  try {
    log('start-to-ready: compiling the gateway to JavaScript');
    const child = compile(directory);
    const rows: StartToReadyRow[] = [];
    for (const contacts of options.contacts) {
      const population = contacts === 0 ? undefined : ensurePopulation({ cacheRoot: options.cacheRoot, contacts, log });
      const starts: StartTiming[] = [];
      for (let repetition = 0; repetition < options.repetitions; repetition += 1) {
        const box = join(directory, `box-${contacts}-${repetition}`);
        const dataDir = join(box, 'data');
        const keyringDir = join(box, 'keyring');
        mkdirSync(dataDir, { recursive: true, mode: 0o700 });
        if (population) {
          cpSync(population.privacyDatabase, join(dataDir, 'gateway.db'));
          cpSync(population.keyringDirectory, keyringDir, { recursive: true });
        }
        const timing = await startOnce(child, writeConfig(box, dataDir, keyringDir));
        log(`start-to-ready: ${contacts.toLocaleString('en')} contacts, start ${repetition + 1}: ready after ${timing.readyMs.toFixed(0)} ms`);
        starts.push(timing);
        rmSync(box, { recursive: true, force: true });
      }
      const byReady = [...starts].sort((a, b) => a.readyMs - b.readyMs);
      const middle = byReady[Math.floor((byReady.length - 1) / 2)];
      if (!middle) throw new Error('no start was measured');
      rows.push({ contacts, starts, median: middle });
    }
    return {
      rows,
      machine: `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version}, load average ${loadavg()[0]?.toFixed(1)}`,
      date: new Date().toISOString().slice(0, 10),
    };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const megabytes = (bytes: number): string => `${Math.round(bytes / (1024 * 1024))} MB`;

export function renderStartToReadyReport(results: StartToReadyResults): string {
  const lines = [
    `Box start-to-ready (${results.date}; ${results.machine}); median of ${results.rows[0]?.starts.length ?? 0} starts each, from the process's start:`,
    '',
    '| stored contacts | modules loaded | store open | prior-contact index loaded | **ready** | spawn → ready | CPU time until ready | resident memory after ready |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of results.rows) {
    const { median: start } = row;
    lines.push(
      `| ${row.contacts.toLocaleString('en')} | ${seconds(start.modulesLoadedMs)} | ${seconds(start.storeOpenMs)} | ${seconds(start.indexLoadedMs)} | **${seconds(start.readyMs)}** | ${seconds(start.spawnToReadyMs)} | ${seconds(start.cpuMs)} | ${megabytes(start.rssBytes)} (heap ${megabytes(start.heapUsedBytes)}) |`,
    );
  }
  lines.push('', `All starts (ready, s): ${results.rows.map((row) => `${row.contacts.toLocaleString('en')}: ${row.starts.map((start) => (start.readyMs / 1000).toFixed(2)).join(', ')}`).join('; ')}.`);
  return lines.join('\n');
}

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const results = await runStartToReadyBench({
    contacts: option('contacts', '0,1000000').split(',').map((text) => Number(text.replace(/_/g, ''))),
    repetitions: Number(option('repetitions', '3')),
    cacheRoot: join(REPOSITORY, '.bench'),
    log: (line) => void process.stderr.write(`bench: ${line}\n`),
  });
  process.stdout.write(`${renderStartToReadyReport(results)}\n`);
}
