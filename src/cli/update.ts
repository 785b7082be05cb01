import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigFile, type GatewayConfig } from '../config/load-config.js';
import { GatewayError } from '../errors.js';
import { DATABASE_FILE, firmwareVersion, systemClock } from '../main.js';
import { InstanceGuard } from '../store/instance-guard.js';
import {
  applyUpdate,
  bootCheck,
  boxHardwareId,
  bundleLimitsFrom,
  buildBundle,
  commitRunningTrial,
  generateSigningKeyPair,
  loadPinnedKeys,
  loadState,
  NodeUpdateFiles,
  parsePublicKeyFile,
  parseSecretKeyFile,
  progressRecorder,
  readUpdateStatus,
  rollbackTrial,
  signBundle,
  verifyBundle,
  incomingDirectory,
  updatePathsFrom,
  type UpdatePaths,
  type UpdateProgress,
} from '../update/index.js';
import type { UpdateCommand } from './update-arguments.js';

type Say = (line: string) => void;

function updatePathsOf(config: GatewayConfig): UpdatePaths {
  return updatePathsFrom(config.update, join(config.dataDir, DATABASE_FILE));
}

function requireHardwareId(config: GatewayConfig): string {
  const id = boxHardwareId(config.update);
  if (id === undefined) throw new GatewayError('HGW_UPDATE_HARDWARE', "cannot tell this box's hardware (no known model in /proc/device-tree/model): set update.hardwareId in the config");
  return id;
}

const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

function progressPrinter(say: Say): (progress: UpdateProgress) => void {
  let last = '';
  return (progress) => {
    const percent = progress.totalBytes === 0 ? 100 : Math.floor((progress.doneBytes * 100) / progress.totalBytes / 25) * 25;
    const line = `${progress.phase}${progress.phase === 'verifying' || progress.phase === 'staging' ? ` ${percent}%` : ''}`;
    if (line !== last) say(`  ${line}`);
    last = line;
  };
}

async function keygen(out: string, say: Say): Promise<number> {
  const pair = generateSigningKeyPair();
  const secretPath = join(out, `release-${pair.id}.key`);
  const publicPath = join(out, `release-${pair.id}.pub`);
  // 'wx': never overwrite a key; the secret file is made 0600 from the start.
  writeFileSync(secretPath, pair.secretKeyFile, { mode: 0o600, flag: 'wx' });
  writeFileSync(publicPath, pair.publicKeyFile, { mode: 0o644, flag: 'wx' });
  say(`key ${pair.id}`);
  say(`  secret: ${secretPath} (mode 0600; keep it offline, never on a box)`);
  say(`  public: ${publicPath} (pin it on boxes in update.keysDir)`);
  return 0;
}

function readSecretKey(path: string): ReturnType<typeof parseSecretKeyFile> {
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch (error) {
    throw new GatewayError('HGW_UPDATE_KEYS', `${path}: cannot read the key file (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  if ((mode & 0o077) !== 0) {
    throw new GatewayError('HGW_UPDATE_KEYS', `${path} is open to others (mode ${mode.toString(8).padStart(4, '0')}): chmod 600 it, and treat the key as possibly copied`);
  }
  return parseSecretKeyFile(readFileSync(path, 'utf8'), path);
}

function readPublicKey(path: string) {
  const key = parsePublicKeyFile(readFileSync(path, 'utf8'));
  if (!key) throw new GatewayError('HGW_UPDATE_KEYS', `${path} is not a release public key (one line of base64, 32 bytes)`);
  return key;
}

async function build(command: Extract<UpdateCommand, { action: 'build' }>, say: Say): Promise<number> {
  const packageJson = join(command.from, 'package.json');
  const packaged = existsSync(packageJson) ? (JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: unknown }).version : undefined;
  // The running code knows its version from package.json: a bundle saying otherwise would never commit.
  if (typeof packaged === 'string' && command.version !== undefined && command.version !== packaged) {
    throw new GatewayError('HGW_UPDATE_MALFORMED', `--version ${command.version} differs from the payload's package.json (${packaged}): the new version could never commit itself`);
  }
  const version = command.version ?? (typeof packaged === 'string' ? packaged : undefined);
  if (version === undefined) throw new GatewayError('HGW_UPDATE_MALFORMED', `no --version given and no version in ${packageJson}`);
  const manifest = await buildBundle({
    files: new NodeUpdateFiles(),
    from: command.from,
    out: command.out,
    version,
    minimumVersion: command.minimumVersion,
    hardware: command.hardware,
    createdAt: systemClock.now(),
    nextKeys: command.nextKeys.map(readPublicKey),
  });
  const bytes = manifest.files.reduce((sum, file) => sum + file.size, 0);
  say(`built ${command.out}: version ${manifest.version} (minimum ${manifest.minimumVersion}) for ${manifest.hardware.join(', ')}, ${manifest.files.length} files, ${megabytes(bytes)}; not signed yet`);
  return 0;
}

async function sign(command: Extract<UpdateCommand, { action: 'sign' }>, say: Say): Promise<number> {
  const { secretKey, publicKey } = readSecretKey(command.key);
  const manifest = await signBundle({ files: new NodeUpdateFiles(), bundle: command.bundle, out: command.out, secretKey, signer: publicKey });
  say(`signed ${command.out}: version ${manifest.version}, key ${publicKey.id}${manifest.nextKeys ? `, rotates to ${manifest.nextKeys.length} new key(s)` : ''}`);
  return 0;
}

async function verify(config: GatewayConfig, bundle: string, say: Say): Promise<number> {
  const files = new NodeUpdateFiles();
  const paths = updatePathsOf(config);
  const state = await loadState(files, paths, firmwareVersion());
  const source = await files.open(bundle);
  try {
    const verified = await verifyBundle(source, {
      pinnedKeys: await loadPinnedKeys(files, paths.keysDir),
      runningVersion: state.committed.version,
      floor: state.floor,
      hardwareId: requireHardwareId(config),
      limits: bundleLimitsFrom(config.update),
    });
    const { manifest } = verified;
    say(`bundle OK: version ${manifest.version} (minimum ${manifest.minimumVersion}) for ${manifest.hardware.join(', ')}, signed with key ${manifest.keyId}, ${manifest.files.length} files, ${megabytes(verified.payloadBytes)}`);
    say(`this box runs ${state.committed.version} (floor ${state.floor}); nothing was changed`);
    return 0;
  } finally {
    await source.close();
  }
}

async function apply(config: GatewayConfig, bundles: readonly string[], say: Say, removeAfter: boolean): Promise<number> {
  const files = new NodeUpdateFiles();
  const paths = updatePathsOf(config);
  const hardwareId = requireHardwareId(config);
  const recorder = progressRecorder(files, paths, () => systemClock.now());
  const print = progressPrinter(say);
  let failure: unknown;
  for (const bundle of bundles) {
    say(`applying ${bundle}`);
    const started = systemClock.now();
    try {
      const applied = await applyUpdate({
        files,
        paths,
        bundlePath: bundle,
        installedVersion: firmwareVersion(),
        hardwareId,
        limits: bundleLimitsFrom(config.update),
        clock: systemClock,
        progress: (progress) => {
          recorder.record(progress);
          print(progress);
        },
      });
      say(`version ${applied.version} staged in slot ${applied.slot} (${applied.files} files, ${megabytes(applied.bytes)}) in ${((systemClock.now() - started) / 1000).toFixed(1)} s; was ${applied.previousVersion}`);
      say('restart the service (systemctl restart helpline-gateway) to start it on trial; it commits itself once healthy');
    } catch (error) {
      failure ??= error;
    } finally {
      await recorder.flushed();
      if (removeAfter) await files.remove(bundle);
    }
  }
  if (failure !== undefined) throw failure;
  return 0;
}

async function applyIncoming(config: GatewayConfig, say: Say): Promise<number> {
  const incoming = incomingDirectory(updatePathsOf(config));
  const bundles = (await new NodeUpdateFiles().list(incoming)).filter((name) => name.endsWith('.hgwb')).sort().map((name) => join(incoming, name));
  if (bundles.length === 0) {
    say(`nothing waiting in ${incoming}`);
    return 0;
  }
  // Only the newest upload is applied; older ones waiting beside it are dropped with it.
  return apply(config, bundles.slice(-1), say, true).finally(async () => {
    for (const older of bundles.slice(0, -1)) await new NodeUpdateFiles().remove(older);
  });
}

async function status(config: GatewayConfig, say: Say): Promise<number> {
  const view = await readUpdateStatus(new NodeUpdateFiles(), updatePathsOf(config), {
    installedVersion: firmwareVersion(),
    hardwareId: boxHardwareId(config.update),
    maxStartAttempts: config.update.maxStartAttempts,
  });
  say(`committed: ${view.committed.version} (${view.committed.slot ? `slot ${view.committed.slot}` : 'not installed in A/B slots'})`);
  say(`running:   slot ${view.currentSlot ?? '(current is not a slot link)'}`);
  say(`trial:     ${view.trial ? `${view.trial.version} in slot ${view.trial.slot}, start ${view.trial.starts} of ${view.trial.maxStarts}, database ${view.trial.databaseBackedUp ? 'backed up' : 'not yet backed up'}` : 'none'}`);
  say(`floor:     ${view.floor} (older or equal versions are refused)`);
  say(`keys:      ${view.pinnedKeyIds.join(', ') || 'none pinned'}`);
  say(`hardware:  ${view.hardwareId ?? 'unknown (set update.hardwareId)'}`);
  if (view.waiting > 0) say(`waiting:   ${view.waiting} verified upload(s) for the apply agent`);
  const last = view.lastResult;
  say(`last:      ${last ? `${new Date(last.at).toISOString()} ${last.outcome}${last.code ? ` ${last.code}` : ''}: ${last.message}` : 'none'}`);
  return 0;
}

export async function updateCommand(command: UpdateCommand, say: Say): Promise<number> {
  switch (command.action) {
    case 'keygen':
      return keygen(command.out, say);
    case 'build':
      return build(command, say);
    case 'sign':
      return sign(command, say);
    default:
      break;
  }
  const config = loadConfigFile(command.config, { dataDir: command.dataDir });
  const paths = updatePathsOf(config);
  const control = { files: new NodeUpdateFiles(), paths, clock: systemClock, lockDatabase: () => InstanceGuard.acquire(paths.databasePath) };
  switch (command.action) {
    case 'verify':
      return verify(config, command.bundle, say);
    case 'apply':
      return apply(config, [command.bundle], say, false);
    case 'apply-incoming':
      return applyIncoming(config, say);
    case 'status':
      return status(config, say);
    case 'boot-check': {
      const result = await bootCheck({ ...control, maxStartAttempts: config.update.maxStartAttempts });
      say(`update boot-check: ${result.message}${result.keysRotated ? '; the pinned release keys were rotated' : ''}`);
      return 0;
    }
    case 'commit': {
      const state = await commitRunningTrial({ files: control.files, paths, runningVersion: firmwareVersion(), clock: systemClock });
      say(state.lastResult?.message ?? 'committed');
      return 0;
    }
    case 'rollback': {
      const state = await rollbackTrial(control);
      say(`${state.lastResult?.message ?? 'rolled back'}; start the service again`);
      return 0;
    }
  }
}
