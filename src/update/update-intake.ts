import { join } from 'node:path';
import { GatewayError, isGatewayError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import type { Scheduler } from '../time/scheduler.js';
import type { BundleLimits } from './bundle-container.js';
import type { MaintenanceGate } from '../panel/maintenance-mode.js';
import { loadPinnedKeys } from './pinned-keys.js';
import { loadState, recordResult } from './state-store.js';
import type { UpdateFiles } from './update-files.js';
import { incomingDirectory, stagingDirectory, type UpdatePaths } from './update-paths.js';
import { result } from './update-state.js';
import { readUpdateStatus, type UpdateStatusView } from './update-status.js';
import { receiveUpload, type UploadBody } from './upload-receiver.js';
import { verifyBundle } from './verify-bundle.js';

export interface UpdateIntakeOptions {
  readonly files: UpdateFiles;
  readonly paths: UpdatePaths;
  readonly maintenance: MaintenanceGate;
  /** The running version (while there is no state file). */
  readonly installedVersion: string;
  readonly hardwareId: string | undefined;
  readonly limits: BundleLimits;
  readonly uploadIdleMs: number;
  readonly maxStartAttempts: number;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
}

export interface UpdateIntakeStatus extends UpdateStatusView {
  readonly maintenance: boolean;
  readonly receiving: boolean;
}

export interface ReceivedUpdate {
  readonly version: string;
  readonly message: string;
}

/**
 * A bundle from the technician's laptop, uploaded to the station server: accepted only in
 * maintenance mode and one at a time, streamed to a staging file under a hard size cap and an idle
 * timeout, verified completely, then handed to the apply agent (a root-run `update apply
 * --incoming`, started by a systemd path unit) through the incoming folder. The running gateway
 * never writes the code slots itself: the service user cannot, by design. Every outcome is the
 * state file's last result, which the technician's page shows.
 */
export class UpdateIntake {
  readonly #options: UpdateIntakeOptions;
  #receiving = false;

  constructor(options: UpdateIntakeOptions) {
    if (!(options.uploadIdleMs > 0)) throw new TypeError('UpdateIntake: uploadIdleMs must be positive');
    this.#options = options;
  }

  async status(): Promise<UpdateIntakeStatus> {
    const { files, paths, installedVersion, hardwareId, maxStartAttempts, maintenance } = this.#options;
    const view = await readUpdateStatus(files, paths, { installedVersion, hardwareId, maxStartAttempts });
    return { ...view, maintenance: maintenance.active(), receiving: this.#receiving };
  }

  /** Why an upload would be refused now (checked before a byte of it is read), or undefined. */
  refusal(): GatewayError | undefined {
    if (!this.#options.maintenance.active()) {
      return new GatewayError('HGW_UPDATE_MAINTENANCE_OFF', 'updates over the network are accepted only in maintenance mode: hold the button on the box for 3 seconds, then upload again');
    }
    if (this.#receiving) return new GatewayError('HGW_UPDATE_BUSY', 'another bundle is being received: wait for it to finish');
    if (this.#options.hardwareId === undefined) return new GatewayError('HGW_UPDATE_HARDWARE', "this box's hardware is unknown: set update.hardwareId in the config");
    return undefined;
  }

  async receive(body: UploadBody, declaredBytes: number | undefined): Promise<ReceivedUpdate> {
    const refused = this.refusal();
    if (refused) {
      await recordResult(this.#options.files, this.#options.paths, this.#options.installedVersion, result(this.#options.clock.now(), 'refused', refused.message, { code: refused.code }));
      throw refused;
    }
    const { files, paths, logger, clock } = this.#options;
    this.#receiving = true;
    try {
      const staged = await receiveUpload(body, {
        files,
        directory: stagingDirectory(paths),
        limits: { maxBytes: this.#options.limits.maxBundleBytes, idleMs: this.#options.uploadIdleMs },
        scheduler: this.#options.scheduler,
        declaredBytes,
      });
      let version: string;
      try {
        version = await this.#verify(staged.path);
      } catch (error) {
        await files.remove(staged.path);
        throw error;
      }
      const incoming = incomingDirectory(paths);
      await files.makeDirectory(incoming);
      await files.rename(staged.path, join(incoming, `bundle-${clock.now()}.hgwb`));
      await files.syncDirectory(incoming);
      const message = `version ${version} was received and verified; the box stages it now and starts it on trial`;
      await recordResult(files, paths, this.#options.installedVersion, result(clock.now(), 'received', message, { version }));
      logger.info({ version, bytes: staged.bytes }, 'update bundle received and verified');
      return { version, message };
    } catch (error) {
      if (isGatewayError(error)) {
        await recordResult(files, paths, this.#options.installedVersion, result(clock.now(), 'refused', error.message, { code: error.code }));
        logger.warn({ code: error.code }, 'update bundle refused');
      }
      throw error;
    } finally {
      this.#receiving = false;
    }
  }

  async #verify(path: string): Promise<string> {
    const { files, paths } = this.#options;
    const state = await loadState(files, paths, this.#options.installedVersion);
    if (state.trial) throw new GatewayError('HGW_UPDATE_TRIAL_PENDING', `version ${state.trial.version} is still on trial: it must be committed or rolled back first`);
    const source = await files.open(path);
    try {
      const verified = await verifyBundle(source, {
        pinnedKeys: await loadPinnedKeys(files, paths.keysDir),
        runningVersion: state.committed.version,
        floor: state.floor,
        hardwareId: this.#options.hardwareId ?? '',
        limits: this.#options.limits,
      });
      return verified.manifest.version;
    } finally {
      await source.close();
    }
  }
}
