/**
 * The one WAV shape the prompts use: RIFF/WAVE, PCM, mono, 8 kHz, 16-bit little-endian. Anything
 * else is refused with the reason, so a badly regenerated prompt fails at load, not mid-call.
 */

export const PROMPT_SAMPLE_RATE = 8000;

export type WavParseResult =
  | { readonly ok: true; readonly samples: Int16Array }
  | { readonly ok: false; readonly reason: string };

export function parsePromptWav(bytes: Uint8Array): WavParseResult {
  const fail = (reason: string): WavParseResult => ({ ok: false, reason });
  if (bytes.length < 12) return fail('shorter than a RIFF header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (offset: number): string => String.fromCharCode(...bytes.subarray(offset, offset + 4));
  if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE') return fail('not a RIFF/WAVE file');

  let format: { channels: number; rate: number; bits: number; encoding: number } | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (body + size > bytes.length) return fail(`chunk "${id}" runs past the end of the file`);
    if (id === 'fmt ') {
      if (size < 16) return fail('fmt chunk too short');
      format = {
        encoding: view.getUint16(body, true),
        channels: view.getUint16(body + 2, true),
        rate: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (!format) return fail('data chunk before fmt chunk');
      if (format.encoding !== 1) return fail(`encoding ${format.encoding} is not PCM`);
      if (format.channels !== 1) return fail(`${format.channels} channels, expected mono`);
      if (format.rate !== PROMPT_SAMPLE_RATE) return fail(`${format.rate} Hz, expected ${PROMPT_SAMPLE_RATE}`);
      if (format.bits !== 16) return fail(`${format.bits}-bit, expected 16-bit`);
      if (size === 0 || size % 2 !== 0) return fail('empty or odd-sized data chunk');
      const samples = new Int16Array(size / 2);
      for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(body + i * 2, true);
      return { ok: true, samples };
    }
    offset = body + size + (size % 2);
  }
  return fail('no data chunk');
}

/** Writes samples as the prompt WAV shape (used by scripts/make-prompts.sh and by tests). */
export function encodePromptWav(samples: Int16Array): Buffer {
  const out = Buffer.alloc(44 + samples.length * 2);
  out.write('RIFF', 0, 'latin1');
  out.writeUInt32LE(36 + samples.length * 2, 4);
  out.write('WAVE', 8, 'latin1');
  out.write('fmt ', 12, 'latin1');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20);
  out.writeUInt16LE(1, 22);
  out.writeUInt32LE(PROMPT_SAMPLE_RATE, 24);
  out.writeUInt32LE(PROMPT_SAMPLE_RATE * 2, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'latin1');
  out.writeUInt32LE(samples.length * 2, 40);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i] ?? 0, 44 + i * 2);
  return out;
}
