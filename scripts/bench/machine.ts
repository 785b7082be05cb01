import { cpus } from 'node:os';

/** What every bench result names about the run: when, which Node, which CPU and how many cores. */
export interface MachineMeta {
  readonly date: string;
  readonly node: string;
  readonly cpu: string;
  readonly cores: number;
}

export function machineMeta(): MachineMeta {
  return { date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length };
}
