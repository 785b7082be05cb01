/**
 * `redact`: reads chat text on stdin and writes it with every detected personal detail replaced
 * by "[TYPE]" (the automatic suggestions of promise P7). Input is capped so a runaway pipe cannot
 * exhaust the box's memory.
 */
import { redactPii } from '../pii/index.js';

/** 10 MiB: far above any chat transcript, far below the box's memory. */
export const MAX_REDACT_INPUT_BYTES = 10 * 1024 * 1024;

/** Exit codes: 0 written, 2 the input was larger than the cap (nothing is written then). */
export async function redactCommand(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  errors: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
    size += bytes.length;
    if (size > MAX_REDACT_INPUT_BYTES) {
      errors.write(`redact: HGW_PII_INPUT_TOO_LARGE: input is larger than ${MAX_REDACT_INPUT_BYTES / 1024 / 1024} MiB; nothing was written\n`);
      return 2;
    }
    chunks.push(bytes);
  }
  const redacted = redactPii(Buffer.concat(chunks).toString('utf8'));
  await new Promise<void>((resolve, reject) => {
    output.write(redacted, (error) => (error ? reject(error) : resolve()));
  });
  return 0;
}
