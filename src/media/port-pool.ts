/**
 * RTP port pairs from a configured range: RTP on an even port, RTCP on the odd port above it
 * (RFC 3550 §11), reserved together. Released pairs go to the back of the queue, so a port that
 * just carried a call is the last to be handed out again and stray packets of the old call find
 * no one listening.
 */
import { GatewayError } from '../errors.js';

export interface PortRange {
  readonly first: number;
  readonly last: number;
}

export const DEFAULT_RTP_PORT_RANGE: PortRange = { first: 40000, last: 40999 };

export class RtpPortPool {
  readonly range: PortRange;
  readonly capacity: number;
  #free: number[] = [];
  #head = 0;
  readonly #inUse = new Set<number>();

  constructor(range: PortRange = DEFAULT_RTP_PORT_RANGE) {
    const { first, last } = range;
    if (!Number.isInteger(first) || !Number.isInteger(last) || first < 1024 || last > 65535 || last <= first) {
      throw new RangeError(`RTP port range must be integers with 1024 <= first < last <= 65535, got ${first}-${last}`);
    }
    this.range = { first, last };
    for (let port = first + (first % 2); port + 1 <= last; port += 2) this.#free.push(port);
    this.capacity = this.#free.length;
    if (this.capacity === 0) throw new RangeError(`RTP port range ${first}-${last} holds no even/odd pair`);
  }

  get available(): number {
    return this.#free.length - this.#head;
  }

  get allocated(): number {
    return this.#inUse.size;
  }

  /** An even RTP port whose RTCP port (+1) is reserved with it. */
  allocate(): number {
    if (this.#head >= this.#free.length) {
      throw new GatewayError('HGW_MEDIA_PORTS_EXHAUSTED', `all ${this.capacity} RTP port pairs of ${this.range.first}-${this.range.last} are in use`);
    }
    const port = this.#free[this.#head++] as number;
    // Compact now and then instead of shifting the array on every allocation.
    if (this.#head > 64 && this.#head * 2 > this.#free.length) {
      this.#free = this.#free.slice(this.#head);
      this.#head = 0;
    }
    this.#inUse.add(port);
    return port;
  }

  /** Gives a pair back; releasing a port that is not allocated is ignored (stop() may run twice). */
  release(port: number): void {
    if (!this.#inUse.delete(port)) return;
    this.#free.push(port);
  }

  isAllocated(port: number): boolean {
    return this.#inUse.has(port);
  }
}
