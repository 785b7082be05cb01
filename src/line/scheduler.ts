/** An opaque timer handle: whatever the scheduler's setTimeout returned. */
export type TimerHandle = unknown;

/**
 * How line adapters schedule work (ring-silence checks, command timeouts, reconnects, replay
 * delays). Injected so tests can run timers by hand instead of sleeping.
 */
export interface Scheduler {
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemScheduler: Scheduler = {
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
