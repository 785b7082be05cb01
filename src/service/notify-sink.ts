/**
 * The one thing the service code needs from its supervisor: a place to send sd_notify(3)
 * assignments (`READY=1`, `WATCHDOG=1`, `STATUS=…`, `STOPPING=1`). One call is one datagram.
 */
export interface NotifySink {
  /** Sends the assignments; never throws (a lost ping is what the watchdog is there to notice). */
  send(assignments: readonly string[]): void;
  /** Delivers what was sent, then lets go of the socket. */
  close(): Promise<void>;
}

/** For a process that no supervisor watches (started by hand): everything goes nowhere. */
export const UNSUPERVISED: NotifySink = {
  send: () => undefined,
  close: async () => undefined,
};
