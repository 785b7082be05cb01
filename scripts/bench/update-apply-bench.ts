/**
 * Update apply time (issue 7): how long `update apply` takes on a realistic bundle, from the first
 * byte read to `current` switched, split into verify (container, signature, every file's SHA-256),
 * stage (write every file into the inactive slot, hashing what is written, fsync files and
 * folders, record the signed manifest) and switch (state file, symlink, folder fsyncs). The box's
 * own code path (applyUpdate with NodeUpdateFiles), durable as shipped.
 *
 * Payload `project` (default): this project's own build (tsc into a temporary dist/) plus its
 * production dependencies as package-lock.json names them (no dev packages, no .bin links), i.e.
 * what a real bundle carries. Payload `synthetic`: random files of the same count and total size.
 * The inactive slot holds a full earlier version before each run, as on a box, so clearing it is
 * timed too. Also times the first trial start's boot-check (database backup) for a database of
 * `--db-mb` megabytes. Median of `repetitions` runs, each on a fresh box.
 *
 *   node --import tsx scripts/bench/update-apply-bench.ts [--payload project|synthetic] [--repetitions 3] [--db-mb 64]
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import nacl from 'tweetnacl';
import { ManualClock } from '../../src/time/clock.js';
import { applyUpdate, bootCheck, buildBundle, DEFAULT_BUNDLE_LIMITS, keyIdOf, NodeUpdateFiles, signBundle, type UpdatePaths } from '../../src/update/index.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

export interface UpdateApplyBenchOptions {
  readonly payload: 'project' | 'synthetic';
  readonly repetitions: number;
  /** Size of the database the first trial start backs up. */
  readonly databaseMegabytes: number;
  /** Files of the synthetic payload (default 6,900, the project payload's count). */
  readonly syntheticFiles?: number;
  readonly log?: (line: string) => void;
}

export interface ApplyRun {
  readonly verifyMs: number;
  readonly stageMs: number;
  readonly switchMs: number;
  readonly totalMs: number;
  readonly bootCheckMs: number;
}

export interface UpdateApplyResults {
  readonly payload: 'project' | 'synthetic';
  readonly files: number;
  readonly payloadBytes: number;
  readonly bundleBytes: number;
  readonly databaseBytes: number;
  readonly runs: readonly ApplyRun[];
  readonly median: ApplyRun;
  readonly meta: { readonly cpu: string; readonly cores: number; readonly loadAverage: number; readonly node: string; readonly date: string; readonly filesystem: string };
}

/** The production dependencies as the lockfile lists them: every node_modules entry not marked dev. */
function productionPackages(): string[] {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path.startsWith('node_modules/') && entry.dev !== true)
    .map(([path]) => path)
    .filter((path) => existsSync(join(ROOT, path)));
}

function projectPayload(into: string, log: (line: string) => void): void {
  log('building the project into the payload (tsc -p tsconfig.build.json)');
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const built = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(into, 'dist')], { cwd: ROOT, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`tsc failed: ${built.stdout}${built.stderr}`);
  cpSync(join(ROOT, 'package.json'), join(into, 'package.json'));
  cpSync(join(ROOT, 'package-lock.json'), join(into, 'package-lock.json'));
  const packages = productionPackages();
  log(`copying ${packages.length} production packages`);
  for (const path of packages) {
    // Nested packages are copied with their parent; links (.bin) are left out as npm ci --no-bin-links would.
    cpSync(join(ROOT, path), join(into, path), { recursive: true, filter: (source) => !lstatSync(source).isSymbolicLink() && !source.includes(`${join(ROOT, path)}/node_modules`) });
  }
}

/** Random files matching the project payload's measured shape (about 6,900 files, 70 MB). */
function syntheticPayload(into: string, count: number): void {
  for (let index = 0; index < count; index += 1) {
    const size = index % 100 === 0 ? 400_000 : 4_300 + (index % 37) * 100;
    const path = join(into, `lib/p${index % 170}/f${index}.js`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, randomBytes(size));
  }
  writeFileSync(join(into, 'package.json'), JSON.stringify({ name: 'helpline-gateway', version: '0.0.0' }));
}

function median(runs: readonly ApplyRun[]): ApplyRun {
  const sorted = [...runs].sort((a, b) => a.totalMs - b.totalMs);
  const middle = sorted[Math.floor(sorted.length / 2)];
  if (!middle) throw new Error('no runs');
  return middle;
}

function filesystemOf(path: string): string {
  const result = spawnSync('df', ['--output=fstype', path], { encoding: 'utf8' });
  return result.status === 0 ? (result.stdout.trim().split('\n')[1] ?? 'unknown') : 'unknown';
}

export async function runUpdateApplyBench(options: UpdateApplyBenchOptions): Promise<UpdateApplyResults> {
  const log = options.log ?? (() => undefined);
  const work = mkdtempSync(join(tmpdir(), 'hgw-update-bench-'));
  try {
    const payload = join(work, 'payload');
    mkdirSync(payload);
    if (options.payload === 'project') projectPayload(payload, log);
    else syntheticPayload(payload, options.syntheticFiles ?? 6_900);

    const files = new NodeUpdateFiles();
    const pair = nacl.sign.keyPair();
    const keyId = keyIdOf(pair.publicKey);
    const clock = new ManualClock(Date.UTC(2026, 10, 25, 12));
    const bundle = join(work, 'bench.hgwb');
    log('building and signing the bundle');
    const manifest = await buildBundle({ files, from: payload, out: bundle, version: '99.0.0', minimumVersion: '0.0.1', hardware: ['rpi5'], createdAt: clock.now() });
    await signBundle({ files, bundle, out: bundle, secretKey: pair.secretKey, signer: { id: keyId, key: pair.publicKey } });
    const payloadBytes = manifest.files.reduce((sum, file) => sum + file.size, 0);
    const databaseBytes = options.databaseMegabytes * 1024 * 1024;

    const runs: ApplyRun[] = [];
    for (let run = 0; run < options.repetitions; run += 1) {
      const box = join(work, `box-${run}`);
      const paths: UpdatePaths = { root: join(box, 'opt'), stateDir: join(box, 'state'), keysDir: join(box, 'keys'), databasePath: join(box, 'data', 'gateway.db') };
      mkdirSync(join(paths.root, 'slots', 'a'), { recursive: true });
      writeFileSync(join(paths.root, 'slots', 'a', 'package.json'), '{"version":"1.0.0"}');
      cpSync(payload, join(paths.root, 'slots', 'b'), { recursive: true });
      symlinkSync('slots/a', join(paths.root, 'current'));
      symlinkSync('slots/a', join(paths.root, 'committed'));
      mkdirSync(paths.keysDir);
      writeFileSync(join(paths.keysDir, `release-${keyId}.pub`), `${Buffer.from(pair.publicKey).toString('base64')}\n`);
      mkdirSync(dirname(paths.databasePath));
      writeFileSync(paths.databasePath, randomBytes(databaseBytes));
      // Flush the copies so their writeback does not land inside the timed apply.
      spawnSync('sync');

      const phaseStart: Record<string, number> = {};
      const started = performance.now();
      await applyUpdate({
        files,
        paths,
        bundlePath: bundle,
        installedVersion: '1.0.0',
        hardwareId: 'rpi5',
        limits: DEFAULT_BUNDLE_LIMITS,
        clock,
        progress: (progress) => {
          phaseStart[progress.phase] ??= performance.now();
        },
      });
      const ended = performance.now();
      const staging = phaseStart.staging ?? ended;
      const switching = phaseStart.switching ?? ended;
      const bootStarted = performance.now();
      await bootCheck({ files, paths, clock, lockDatabase: () => ({ release: () => undefined }), maxStartAttempts: 3 });
      const bootCheckMs = performance.now() - bootStarted;
      runs.push({ verifyMs: staging - started, stageMs: switching - staging, switchMs: ended - switching, totalMs: ended - started, bootCheckMs });
      log(`run ${run + 1}: ${(ended - started).toFixed(0)} ms`);
      rmSync(box, { recursive: true, force: true });
    }
    return {
      payload: options.payload,
      files: manifest.files.length,
      payloadBytes,
      bundleBytes: lstatSync(bundle).size,
      databaseBytes,
      runs,
      median: median(runs),
      meta: { cpu: cpus()[0]?.model ?? 'unknown CPU', cores: cpus().length, loadAverage: loadavg()[0] ?? 0, node: process.version, date: new Date().toISOString(), filesystem: filesystemOf(work) },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

export function renderUpdateApplyReport(results: UpdateApplyResults): string {
  const { median: run, meta } = results;
  const rate = (bytes: number, ms: number): string => `${(bytes / 1e6 / (ms / 1000)).toFixed(0)} MB/s`;
  return [
    `### Update apply (${results.payload === 'project' ? "this project's dist/ and production node_modules" : 'synthetic payload of the same shape'})`,
    '',
    '| bundle | files | verify | stage (write, fsync) | switch | **apply total** | first trial start (boot-check, database backup) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${mb(results.bundleBytes)} | ${results.files} | ${seconds(run.verifyMs)} (${rate(results.payloadBytes, run.verifyMs)}) | ${seconds(run.stageMs)} | ${seconds(run.switchMs)} | **${seconds(run.totalMs)}** | ${seconds(run.bootCheckMs)} (${mb(results.databaseBytes)} database) |`,
    '',
    `Median of ${results.runs.length} runs (apply totals: ${results.runs.map((candidate) => seconds(candidate.totalMs)).join(', ')}), each on a fresh box whose inactive slot held a full earlier version. ` +
      `Verify reads the bundle once and hashes every file; stage reads it again, hashes what it writes, fsyncs every file and folder, then writes the signed manifest; switch writes the state file and swaps the symlink (each fsynced with its folder). ` +
      `${meta.cpu}, ${meta.cores} cores, load average ${meta.loadAverage.toFixed(1)} at the end, ${meta.filesystem} on the development machine's disk, Node ${meta.node}, ${meta.date.slice(0, 10)}. ` +
      'On a Raspberry Pi with an SD card, expect fsync-bound staging to take several times longer.',
    '',
  ].join('\n');
}

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const payload = option('payload', 'project');
  if (payload !== 'project' && payload !== 'synthetic') throw new TypeError('--payload is project or synthetic');
  const results = await runUpdateApplyBench({
    payload,
    repetitions: Number(option('repetitions', '3')),
    databaseMegabytes: Number(option('db-mb', '64')),
    log: (line) => void process.stderr.write(`bench: ${line}\n`),
  });
  process.stdout.write(`${renderUpdateApplyReport(results)}\n`);
  process.stdout.write(`${JSON.stringify(results)}\n`);
}
