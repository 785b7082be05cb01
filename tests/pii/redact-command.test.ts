import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MAX_REDACT_INPUT_BYTES, redactCommand } from '../../src/cli/redact.js';

function collected(stream: PassThrough): () => string {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks).toString('utf8');
}

describe('the redact command', () => {
  it('writes stdin back with each detail replaced by its type, split chunks and emoji included', async () => {
    const text = 'hoi ik ben sanne 😊\nbel me op 06 1234 5678\n';
    const bytes = Buffer.from(text, 'utf8');
    // Split inside the emoji's UTF-8 bytes: decoding must wait for the whole input.
    const input = Readable.from([bytes.subarray(0, 19), bytes.subarray(19)]);
    const output = new PassThrough();
    const written = collected(output);
    expect(await redactCommand(input, output, new PassThrough())).toBe(0);
    expect(written()).toBe('hoi ik ben [NAME] 😊\nbel me op [PHONE]\n');
  });

  it('refuses input over the cap with one line on stderr, exit code 2 and nothing on stdout', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    const input = Readable.from(Array.from({ length: MAX_REDACT_INPUT_BYTES / chunk.length + 1 }, () => chunk));
    const output = new PassThrough();
    const errors = new PassThrough();
    const written = collected(output);
    const complaint = collected(errors);
    expect(await redactCommand(input, output, errors)).toBe(2);
    expect(written()).toBe('');
    expect(complaint()).toMatch(/^redact: HGW_PII_INPUT_TOO_LARGE: input is larger than 10 MiB; nothing was written\n$/);
  });
});
