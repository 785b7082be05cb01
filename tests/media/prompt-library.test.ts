import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayError, isGatewayError } from '../../src/errors.js';
import { PROMPT_SEGMENTS, promptFileName } from '../../src/media/prompt-catalog.js';
import { blockedMessage, queueMessage, timeOutMessage } from '../../src/media/prompt-messages.js';
import { defaultPromptDirectory, PromptLibrary } from '../../src/media/prompt-library.js';
import { encodePromptWav, parsePromptWav } from '../../src/media/wav-file.js';

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function promptDirectoryWith(files: Record<string, Buffer>): string {
  const directory = mkdtempSync(join(tmpdir(), 'hgw-prompts-'));
  directories.push(directory);
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(directory, name), bytes);
  return directory;
}

async function loadError(directory: string): Promise<GatewayError> {
  const error = await PromptLibrary.load(directory, ['uur']).then(() => undefined, (caught: unknown) => caught);
  if (!isGatewayError(error, 'HGW_MEDIA_PROMPT')) throw new Error(`expected HGW_MEDIA_PROMPT, got ${String(error)}`);
  return error;
}

function withFormat(patch: (wav: Buffer) => void): Buffer {
  const wav = encodePromptWav(new Int16Array(800).fill(100));
  patch(wav);
  return wav;
}

describe('prompt library', () => {
  it('ships exactly one 8 kHz mono 16-bit WAV per catalog segment in src/media/prompts/nl/', async () => {
    const shipped = readdirSync(fileURLToPath(defaultPromptDirectory())).sort();
    expect(shipped).toEqual(PROMPT_SEGMENTS.map(promptFileName).sort());
    const library = await PromptLibrary.load();
    for (const segment of PROMPT_SEGMENTS) expect(library.samples(segment).length).toBeGreaterThan(800);
  });

  it('has every segment the messages can ask for', async () => {
    const library = await PromptLibrary.load();
    const until = Date.parse('2026-12-31T22:59:45Z');
    for (const message of [queueMessage(undefined), queueMessage(12), queueMessage(1), queueMessage(90), timeOutMessage(until, 'Europe/Amsterdam'), blockedMessage(until, 'Europe/Amsterdam')]) {
      expect(library.concatenate(message).length).toBeGreaterThan(0);
    }
  });

  it('fails at load with HGW_MEDIA_PROMPT naming a missing file', async () => {
    const error = await loadError(promptDirectoryWith({}));
    expect(error.message).toContain('uur.wav');
  });

  it('fails at load with HGW_MEDIA_PROMPT naming a malformed file and saying what is wrong', async () => {
    const cases: Array<[Buffer, string]> = [
      [Buffer.from('not a wav file at all'), 'RIFF'],
      [withFormat((wav) => wav.writeUInt32LE(22050, 24)), '22050 Hz'],
      [withFormat((wav) => wav.writeUInt16LE(2, 22)), 'mono'],
      [withFormat((wav) => wav.writeUInt16LE(8, 34)), '16-bit'],
      [withFormat((wav) => wav.writeUInt16LE(3, 20)), 'not PCM'],
      [withFormat((wav) => wav.writeUInt32LE(999_999, 40)), 'past the end'],
      [encodePromptWav(new Int16Array(0)), 'empty'],
    ];
    for (const [bytes, reason] of cases) {
      const error = await loadError(promptDirectoryWith({ 'uur.wav': bytes }));
      expect(error.message).toContain('uur.wav');
      expect(error.message).toContain(reason);
    }
  });

  it('reads back the WAV it writes', () => {
    const samples = Int16Array.from({ length: 321 }, (_, i) => (i * 97) % 30000 - 15000);
    const parsed = parsePromptWav(encodePromptWav(samples));
    expect(parsed.ok && Array.from(parsed.samples)).toEqual(Array.from(samples));
  });

  it('refuses a segment it did not load', async () => {
    const library = await PromptLibrary.load(promptDirectoryWith({ 'uur.wav': encodePromptWav(new Int16Array(160)) }), ['uur']);
    expect(() => library.samples('om')).toThrow(GatewayError);
  });
});
