import { isGatewayError } from '../errors.js';
import { describeError } from '../events/typed-emitter.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import type { Scheduler } from '../time/scheduler.js';
import { commitRunningTrial } from './commit-trial.js';
import { readState } from './state-store.js';
import type { UpdateFiles } from './update-files.js';
import type { UpdatePaths } from './update-paths.js';

/** What the trial's health check asks of the running gateway (issue 7). */
export interface TrialHealth {
  readonly storeOpen: boolean;
  readonly lineUp: boolean;
  /** Connected to the broker, or able to queue in the outbox meanwhile. */
  readonly upstreamConnectedOrQueued: boolean;
}

export interface TrialWatchOptions {
  readonly files: UpdateFiles;
  readonly paths: UpdatePaths;
  readonly runningVersion: string;
  readonly health: () => TrialHealth;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly checkEveryMs: number;
  /** How long a start may take to become healthy before it counts as failed. */
  readonly deadlineMs: number;
  /** The start failed its health check: the gateway stops with a failure so the service restarts (and boot-check counts). */
  readonly onFailed: (reason: string) => void;
}

export type TrialWatchState = 'not-on-trial' | 'watching' | 'committed' | 'failed' | 'stopped';

function unhealthyParts(health: TrialHealth): string[] {
  return [
    ...(health.storeOpen ? [] : ['store not open']),
    ...(health.lineUp ? [] : ['line adapter not up']),
    ...(health.upstreamConnectedOrQueued ? [] : ['upstream neither connected nor queueing']),
  ];
}

/**
 * Watches a trial start of this version: checks the health every `checkEveryMs` and commits the
 * version as soon as it passes; past `deadlineMs` it calls `onFailed`. Inert when this version is
 * not on trial. A failed commit (disk full) is retried at the next check, never taken as healthy.
 */
export class UpdateTrialWatch {
  readonly #options: TrialWatchOptions;
  #state: TrialWatchState = 'not-on-trial';
  #cancel: (() => void) | undefined;
  #deadline = 0;
  #checking: Promise<void> = Promise.resolve();

  constructor(options: TrialWatchOptions) {
    if (!(options.checkEveryMs > 0) || !(options.deadlineMs > 0)) throw new TypeError('UpdateTrialWatch: checkEveryMs and deadlineMs must be positive');
    this.#options = options;
  }

  get state(): TrialWatchState {
    return this.#state;
  }

  async start(): Promise<TrialWatchState> {
    const { files, paths, runningVersion, logger } = this.#options;
    const state = await readState(files, paths).catch((error: unknown) => {
      logger.error({ err: describeError(error) }, 'update state unreadable: no trial watch');
      return undefined;
    });
    if (!state?.trial || state.trial.version !== runningVersion || state.trial.reverting) return this.#state;
    this.#state = 'watching';
    this.#deadline = this.#options.clock.now() + this.#options.deadlineMs;
    logger.info({ version: runningVersion, attempt: state.trial.attempts, deadlineMs: this.#options.deadlineMs }, 'running on trial: committing once the health check passes');
    this.#schedule(0);
    return this.#state;
  }

  /** Resolves once the check that is running (if any) has finished: tests move a ManualScheduler, then wait for this. */
  whenChecked(): Promise<void> {
    return this.#checking;
  }

  stop(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    if (this.#state === 'watching') this.#state = 'stopped';
  }

  #schedule(afterMs: number): void {
    this.#cancel = this.#options.scheduler.after(afterMs, () => {
      this.#checking = this.#check();
    });
  }

  async #check(): Promise<void> {
    if (this.#state !== 'watching') return;
    const { logger, clock } = this.#options;
    let problems: string[];
    try {
      problems = unhealthyParts(this.#options.health());
    } catch (error) {
      problems = [`health check failed (${describeError(error).message})`];
    }
    if (problems.length === 0) {
      try {
        await commitRunningTrial(this.#options);
        if (this.#state !== 'watching') return;
        this.#state = 'committed';
        logger.info({ version: this.#options.runningVersion }, 'update committed: the trial version passed its health check');
        return;
      } catch (error) {
        if (isGatewayError(error, 'HGW_UPDATE_NO_TRIAL')) {
          this.#state = 'stopped';
          logger.warn({ err: error.message }, 'the trial ended elsewhere; nothing to commit');
          return;
        }
        logger.error({ err: describeError(error) }, 'committing the update failed; trying again');
        problems.push('commit not written');
      }
    }
    if (clock.now() >= this.#deadline) {
      this.#state = 'failed';
      const reason = `trial version ${this.#options.runningVersion} not healthy within ${Math.round(this.#options.deadlineMs / 1000)} s: ${problems.join(', ')}`;
      logger.error({ problems }, 'update trial failed its health check');
      this.#options.onFailed(reason);
      return;
    }
    if (this.#state === 'watching') this.#schedule(this.#options.checkEveryMs);
  }
}
