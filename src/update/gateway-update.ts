import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import type { Scheduler } from '../time/scheduler.js';
import type { MaintenanceGate } from '../panel/maintenance-mode.js';
import { NodeUpdateFiles } from './node-update-files.js';
import { UpdateIntake } from './update-intake.js';
import { boxHardwareId, bundleLimitsFrom, updatePathsFrom, type UpdateSettings } from './update-settings.js';
import { UpdateTrialWatch, type TrialHealth } from './update-trial-watch.js';

export interface GatewayUpdateOptions {
  readonly settings: UpdateSettings;
  readonly databasePath: string;
  /** The version of the running code (its package.json). */
  readonly runningVersion: string;
  readonly maintenance: MaintenanceGate;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
}

const TRIAL_CHECK_EVERY_MS = 5_000;

/**
 * The running gateway's two hooks into updates, for main.ts: the intake behind the technician's
 * upload route, and `watchTrial`, called once everything has started, which commits this version
 * if it is on trial and healthy, or calls `onFailed` after `update.trialHealthDeadlineSeconds`.
 */
export function gatewayUpdate(options: GatewayUpdateOptions): {
  readonly intake: UpdateIntake;
  watchTrial(health: () => TrialHealth, onFailed: (reason: string) => void): Promise<{ stop(): void }>;
} {
  const { settings, clock, scheduler } = options;
  const logger = options.logger.child({ component: 'update' });
  const files = new NodeUpdateFiles();
  const paths = updatePathsFrom(settings, options.databasePath);
  const intake = new UpdateIntake({
    files,
    paths,
    maintenance: options.maintenance,
    installedVersion: options.runningVersion,
    hardwareId: boxHardwareId(settings),
    limits: bundleLimitsFrom(settings),
    uploadIdleMs: settings.uploadIdleSeconds * 1000,
    maxStartAttempts: settings.maxStartAttempts,
    clock,
    scheduler,
    logger,
  });
  return {
    intake,
    async watchTrial(health, onFailed) {
      const watch = new UpdateTrialWatch({
        files,
        paths,
        runningVersion: options.runningVersion,
        health,
        clock,
        scheduler,
        logger,
        checkEveryMs: TRIAL_CHECK_EVERY_MS,
        deadlineMs: settings.trialHealthDeadlineSeconds * 1000,
        onFailed,
      });
      await watch.start();
      return { stop: () => watch.stop() };
    },
  };
}
