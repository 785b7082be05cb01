/** Why a TCP stream was given up: too big for the limit, or no readable Content-Length framing. */
export type StreamFramingFault = 'oversized' | 'unframed';

export interface FramedChunk {
  readonly messages: Buffer[];
  readonly fault?: StreamFramingFault;
}

const CRLF_CRLF = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH_LINE = /^(?:content-length|l)[ \t]*:[ \t]*(\S*)[ \t]*$/gim;

/**
 * Cuts a TCP byte stream into SIP messages by Content-Length (RFC 3261 §18.3). CRLF keep-alives
 * between messages are skipped. The buffer never grows past the message limit: a stream that would
 * need more, or whose header block has no usable Content-Length, is reported as a fault and the
 * caller closes it.
 */
export class SipStreamFramer {
  readonly #maxMessageBytes: number;
  #buffer: Buffer;
  #length = 0;
  #searchedUpTo = 0;
  #failed = false;

  constructor(maxMessageBytes: number) {
    this.#maxMessageBytes = maxMessageBytes;
    this.#buffer = Buffer.alloc(Math.min(4096, maxMessageBytes + 4));
  }

  push(chunk: Buffer): FramedChunk {
    if (this.#failed) return { messages: [], fault: 'unframed' };
    const messages: Buffer[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      const room = this.#maxMessageBytes + 4 - this.#length;
      const taken = Math.min(room, chunk.length - offset);
      if (taken <= 0) return this.#fail(messages, 'oversized');
      this.#append(chunk.subarray(offset, offset + taken));
      offset += taken;
      for (;;) {
        const result = this.#extract();
        if (result === undefined) break;
        if (typeof result === 'string') return this.#fail(messages, result);
        messages.push(result);
      }
    }
    return { messages };
  }

  #fail(messages: Buffer[], fault: StreamFramingFault): FramedChunk {
    this.#failed = true;
    this.#length = 0;
    return { messages, fault };
  }

  #append(bytes: Buffer): void {
    if (this.#length + bytes.length > this.#buffer.length) {
      const grown = Buffer.alloc(Math.min(this.#maxMessageBytes + 4, Math.max(this.#buffer.length * 2, this.#length + bytes.length)));
      this.#buffer.copy(grown, 0, 0, this.#length);
      this.#buffer = grown;
    }
    bytes.copy(this.#buffer, this.#length);
    this.#length += bytes.length;
  }

  #consume(count: number): void {
    this.#buffer.copy(this.#buffer, 0, count, this.#length);
    this.#length -= count;
    this.#searchedUpTo = 0;
  }

  #extract(): Buffer | StreamFramingFault | undefined {
    let leading = 0;
    while (leading < this.#length && (this.#buffer[leading] === 0x0d || this.#buffer[leading] === 0x0a)) leading++;
    if (leading > 0) this.#consume(leading);
    if (this.#length === 0) return undefined;
    const view = this.#buffer.subarray(0, this.#length);
    const headerEnd = view.indexOf(CRLF_CRLF, Math.max(0, this.#searchedUpTo - 3));
    if (headerEnd === -1) {
      this.#searchedUpTo = this.#length;
      return this.#length > this.#maxMessageBytes ? 'oversized' : undefined;
    }
    const lengths = [...view.subarray(0, headerEnd).toString('latin1').matchAll(CONTENT_LENGTH_LINE)].map((match) => match[1] ?? '');
    if (lengths.length === 0 || lengths.some((length) => length !== lengths[0]) || !/^\d{1,6}$/.test(lengths[0] ?? '')) return 'unframed';
    const total = headerEnd + CRLF_CRLF.length + Number(lengths[0]);
    if (total > this.#maxMessageBytes) return 'oversized';
    if (this.#length < total) {
      this.#searchedUpTo = headerEnd;
      return undefined;
    }
    const message = Buffer.from(view.subarray(0, total));
    this.#consume(total);
    return message;
  }
}
