import type { NotifySink } from '../../src/service/index.js';

/** A NotifySink that keeps every datagram it was given, for tests that do not need systemd. */
export class RecordingSink implements NotifySink {
  readonly datagrams: string[][] = [];
  closed = false;

  send(assignments: readonly string[]): void {
    if (this.closed) throw new Error('sent after close');
    this.datagrams.push([...assignments]);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Every assignment sent, in order. */
  get assignments(): string[] {
    return this.datagrams.flat();
  }

  count(assignment: string): number {
    return this.assignments.filter((item) => item === assignment).length;
  }
}
