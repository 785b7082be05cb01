/**
 * The rolling average handle time (talk + wrap-up) of the most recent calls, the basis of the
 * "all volunteers are busy, expected wait" announcement.
 */
export class HandleTimeAverage {
  readonly #samples: number[] = [];
  readonly #capacity: number;
  readonly #defaultMs: number;

  constructor(capacity: number, defaultMs: number) {
    this.#capacity = capacity;
    this.#defaultMs = defaultMs;
  }

  record(handleMs: number): void {
    this.#samples.push(Math.max(0, handleMs));
    if (this.#samples.length > this.#capacity) this.#samples.shift();
  }

  /** The default until the first call has been handled. */
  averageMs(): number {
    if (this.#samples.length === 0) return this.#defaultMs;
    return this.#samples.reduce((sum, sample) => sum + sample, 0) / this.#samples.length;
  }
}

/**
 * The wait of the contact at `position` (1 = next): one average handle time per round through the
 * staffed stations. Null when no station is staffed: there is nothing honest to announce then.
 */
export function estimateWaitMs(position: number, averageHandleMs: number, staffedStations: number): number | null {
  if (staffedStations <= 0) return null;
  return Math.round((averageHandleMs * position) / staffedStations);
}
