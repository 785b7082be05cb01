import type { Logger } from '../../log/logger.js';
import type { Scheduler, TimerHandle } from '../scheduler.js';

export type CommandOutcome = 'ok' | 'error' | 'timeout' | 'cancelled';

export interface ModemCommanderOptions {
  /** Writes raw text to the port. */
  readonly write: (text: string) => void;
  readonly scheduler: Scheduler;
  readonly timeoutMs: number;
}

interface PendingCommand {
  readonly resolve: (outcome: CommandOutcome) => void;
  readonly timer: TimerHandle;
}

/**
 * Sends one AT command at a time and waits for its final result code. Lines are fed in by the
 * adapter; everything else on the line (echo, RING) is not its business.
 */
export class ModemCommander {
  readonly #options: ModemCommanderOptions;
  #pending: PendingCommand | undefined;

  constructor(options: ModemCommanderOptions) {
    this.#options = options;
  }

  send(command: string): Promise<CommandOutcome> {
    this.cancel();
    return new Promise((resolve) => {
      const timer = this.#options.scheduler.setTimeout(() => this.#settle('timeout'), this.#options.timeoutMs);
      this.#pending = { resolve, timer };
      this.#options.write(`${command}\r`);
    });
  }

  /** Sees every line from the modem; settles the pending command on its final result code. */
  accept(line: string): void {
    if (!this.#pending) return;
    const text = line.trim().toUpperCase();
    if (text === 'OK') this.#settle('ok');
    else if (text === 'ERROR' || text.startsWith('+CME ERROR')) this.#settle('error');
  }

  /** The port went away: the command will never be answered. */
  cancel(): void {
    this.#settle('cancelled');
  }

  #settle(outcome: CommandOutcome): void {
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = undefined;
    this.#options.scheduler.clearTimeout(pending.timer);
    pending.resolve(outcome);
  }
}

export type InitResult =
  | { readonly kind: 'ready'; readonly callerIdCommandIndex: number }
  | { readonly kind: 'cancelled' };

/**
 * The init sequence: every init command in order (an ERROR there is logged and passed over: a
 * modem that rejects ATZ can still report caller ID), then the caller-ID commands until one
 * answers OK. No caller-ID command accepted still leaves a usable line: calls arrive as unknown.
 */
export async function initializeModem(
  commander: ModemCommander,
  initCommands: readonly string[],
  callerIdCommands: readonly string[],
  logger: Logger,
): Promise<InitResult> {
  for (const command of initCommands) {
    const outcome = await commander.send(command);
    if (outcome === 'cancelled') return { kind: 'cancelled' };
    if (outcome !== 'ok') logger.warn({ command, outcome }, 'modem init command not accepted');
  }
  for (const [index, command] of callerIdCommands.entries()) {
    const outcome = await commander.send(command);
    if (outcome === 'cancelled') return { kind: 'cancelled' };
    if (outcome === 'ok') {
      logger.info({ command }, 'caller ID enabled');
      return { kind: 'ready', callerIdCommandIndex: index };
    }
    logger.info({ command, outcome }, 'caller ID command not accepted, trying the next');
  }
  logger.warn('no caller ID command accepted: every call will be offered as unknown');
  return { kind: 'ready', callerIdCommandIndex: -1 };
}
