import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../upstream/mqtt-harness.js';

/** The Debian PostgreSQL server's programs: /usr/lib/postgresql/<version>/bin, newest version. */
function serverBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a)) : [];
  const bin = versions.map((version) => path.join(root, version, 'bin')).find((dir) => fs.existsSync(path.join(dir, 'postgres')));
  if (!bin) throw new Error('the PostgreSQL server is missing: run npm test, which installs Debian\'s postgresql');
  return bin;
}

/**
 * A throw-away PostgreSQL server for one test file: initdb into a temp dir owned by the postgres
 * user (tests run as root, and the server refuses to run as root), a free TCP port on 127.0.0.1,
 * its unix socket in the temp dir, trust authentication for local connections only. fsync is
 * off: these tests kill the collector and the box, never the database server.
 */
export class PostgresProcess {
  readonly port: number;
  readonly dir: string;
  readonly #bin: string;
  #child: ChildProcess | undefined;
  #databases = 0;

  private constructor(dir: string, port: number, bin: string) {
    this.dir = dir;
    this.port = port;
    this.#bin = bin;
  }

  static async create(): Promise<PostgresProcess> {
    const bin = serverBin();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hgw-postgres-'));
    fs.chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), Number(execFileSync('id', ['-g', 'postgres']).toString().trim()));
    execFileSync('runuser', ['-u', 'postgres', '--', path.join(bin, 'initdb'), '-D', path.join(dir, 'data'), '--auth=trust', '--username=postgres', '--no-sync', '--encoding=UTF8', '--locale=C'], { stdio: 'ignore' });
    const server = new PostgresProcess(dir, await freePort(), bin);
    await server.start();
    return server;
  }

  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** A fresh empty database; its URL. */
  async newDatabase(): Promise<string> {
    this.#databases += 1;
    const name = `collector_${this.#databases}`;
    const client = new pg.Client({ connectionString: this.url() });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${name}`);
    } finally {
      await client.end();
    }
    return this.url(name);
  }

  async start(): Promise<void> {
    const child = spawn(
      'runuser',
      ['-u', 'postgres', '--', path.join(this.#bin, 'postgres'), '-D', path.join(this.dir, 'data'), '-p', String(this.port), '-k', this.dir,
        '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=50'],
      { stdio: 'ignore' },
    );
    this.#child = child;
    const deadline = Date.now() + 15_000;
    while (!(await this.#accepts())) {
      if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error('postgres did not start accepting connections');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** A fast shutdown (SIGINT to the postmaster): open transactions are rolled back, clients cut off. */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const pidFile = path.join(this.dir, 'data', 'postmaster.pid');
    const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]) : NaN;
    if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGINT');
    else child.kill('SIGTERM');
    await exited;
  }

  async destroy(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  async #accepts(): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.url(), connectionTimeoutMillis: 1_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      return true;
    } catch {
      return false;
    }
  }
}
