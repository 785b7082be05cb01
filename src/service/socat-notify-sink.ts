import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { GatewayError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Scheduler } from '../time/scheduler.js';
import type { NotifySocketAddress } from './notify-environment.js';
import type { NotifySink } from './notify-sink.js';

export interface SocatNotifySinkOptions {
  readonly socket: NotifySocketAddress;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** The socat binary; `socat` from PATH by default. */
  readonly command?: string;
  /** Wait before starting socat again after it exited on its own. */
  readonly respawnDelayMs?: number;
}

type SocatChild = ChildProcessByStdio<Writable, null, Readable>;

const CLOSE_GRACE_MS = 2000;

/** socat's address for the socket: a path, or (leading '@' dropped) a name in the abstract namespace. */
export function socatAddress(socket: NotifySocketAddress): string {
  return socket.kind === 'path' ? `UNIX-SENDTO:${socket.path}` : `ABSTRACT-SENDTO:${socket.name}`;
}

/**
 * Node cannot send a unix datagram, so one long-lived `socat -u STDIN UNIX-SENDTO:<socket>` does:
 * each write of a few bytes to its stdin leaves as one datagram. It lives in the service's cgroup
 * for as long as the service, so systemd (NotifyAccess=all) always knows whose message it is; a
 * short-lived `systemd-notify` per message can exit before systemd looks it up and be ignored.
 * If socat dies it is started again; the pings it missed meanwhile are simply lost.
 */
export class SocatNotifySink implements NotifySink {
  readonly #options: SocatNotifySinkOptions;
  #child: SocatChild | undefined;
  #closed = false;
  #cancelRespawn: (() => void) | undefined;

  private constructor(options: SocatNotifySinkOptions) {
    this.#options = options;
  }

  /** Starts socat; HGW_SERVICE_NOTIFY when it cannot be started (not installed). */
  static async start(options: SocatNotifySinkOptions): Promise<SocatNotifySink> {
    const sink = new SocatNotifySink(options);
    await sink.#spawn();
    return sink;
  }

  send(assignments: readonly string[]): void {
    const child = this.#child;
    if (this.#closed || !child || !child.stdin.writable) return;
    child.stdin.write(`${assignments.join('\n')}\n`);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#cancelRespawn?.();
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // End of input: socat sends what it has read and exits.
    child.stdin.end();
    const cancelKill = this.#options.scheduler.after(CLOSE_GRACE_MS, () => child.kill('SIGKILL'));
    await exited;
    cancelKill();
  }

  #spawn(): Promise<void> {
    const command = this.#options.command ?? 'socat';
    const child: SocatChild = spawn(command, ['-u', 'STDIN', socatAddress(this.#options.socket)], { stdio: ['pipe', 'ignore', 'pipe'] });
    return new Promise((resolve, reject) => {
      child.once('spawn', () => {
        this.#child = child;
        this.#watch(child);
        resolve();
      });
      child.once('error', (error: NodeJS.ErrnoException) => {
        if (this.#child === child) return;
        reject(new GatewayError('HGW_SERVICE_NOTIFY', `NOTIFY_SOCKET is set but ${command} cannot be started (${error.code ?? 'error'}); install the Debian package socat`));
      });
    });
  }

  #watch(child: SocatChild): void {
    const logger = this.#options.logger;
    // A write after socat died fails with EPIPE; the exit below reports it once.
    child.stdin.on('error', () => undefined);
    child.on('error', (error) => logger.warn({ component: 'service', err: error.message }, 'notify helper failed'));
    let complaint = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (complaint === '') complaint = chunk.split('\n')[0]?.slice(0, 200) ?? '';
    });
    child.once('exit', (code, signal) => {
      if (this.#closed || this.#child !== child) return;
      this.#child = undefined;
      logger.warn({ component: 'service', code, signal, detail: complaint }, 'notify helper (socat) exited; starting it again');
      this.#cancelRespawn = this.#options.scheduler.after(this.#options.respawnDelayMs ?? 1000, () => {
        this.#cancelRespawn = undefined;
        if (this.#closed) return;
        this.#spawn().catch((error: unknown) => logger.error({ component: 'service', err: error instanceof Error ? error.message : String(error) }, 'notify helper cannot be started again'));
      });
    });
  }
}
