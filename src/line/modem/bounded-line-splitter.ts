/**
 * Splits the modem's byte stream into lines at CR or LF (a command's echo ends with a bare CR,
 * results with CR LF). A stream of noise that never ends a line would otherwise grow a buffer
 * without bound: past `maxLineBytes` the text so far is handed on as one line, which the parser then
 * counts as garbled. No line handed on is longer than `maxLineBytes`, however the bytes were
 * chunked: a long line that ends within one chunk is cut the same way as one that arrived in pieces.
 */
export class BoundedLineSplitter {
  readonly #maxLineBytes: number;
  #pending = '';

  constructor(maxLineBytes = 512) {
    this.#maxLineBytes = maxLineBytes;
  }

  push(chunk: Buffer): string[] {
    const parts = (this.#pending + chunk.toString('latin1')).split(/\r|\n/);
    this.#pending = parts.pop() ?? '';
    const lines: string[] = [];
    for (const part of parts) {
      for (let from = 0; from < part.length; from += this.#maxLineBytes) lines.push(part.slice(from, from + this.#maxLineBytes));
    }
    while (this.#pending.length > this.#maxLineBytes) {
      lines.push(this.#pending.slice(0, this.#maxLineBytes));
      this.#pending = this.#pending.slice(this.#maxLineBytes);
    }
    return lines;
  }
}
