/**
 * The prompt segments, loaded once at start from WAV files shipped in the repo. The directory is
 * resolved from the package root, so the same path works from src/media/ (tsx) and dist/media/
 * (built). A missing or malformed file fails the load with HGW_MEDIA_PROMPT naming it.
 */
import { readFile } from 'node:fs/promises';
import { sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GatewayError } from '../errors.js';
import { PROMPT_SEGMENTS, promptFileName, type PromptSegment } from './prompt-catalog.js';
import { parsePromptWav } from './wav-file.js';

/** `<package root>/src/media/prompts/nl/`, from either src/media/ or dist/media/. */
export function defaultPromptDirectory(): URL {
  return new URL('../../src/media/prompts/nl/', import.meta.url);
}

export class PromptLibrary {
  readonly #samples: ReadonlyMap<PromptSegment, Int16Array>;

  private constructor(samples: ReadonlyMap<PromptSegment, Int16Array>) {
    this.#samples = samples;
  }

  /** Loads `segments` (default: all) from `directory` (a file URL or path ending in a separator). */
  static async load(directory: URL | string = defaultPromptDirectory(), segments: readonly PromptSegment[] = PROMPT_SEGMENTS): Promise<PromptLibrary> {
    const base = typeof directory === 'string' ? pathToFileURL(directory.endsWith(sep) ? directory : `${directory}${sep}`) : directory;
    const loaded = new Map<PromptSegment, Int16Array>();
    await Promise.all(
      segments.map(async (segment) => {
        const fileName = promptFileName(segment);
        let bytes: Buffer;
        try {
          bytes = await readFile(new URL(fileName, base));
        } catch (error) {
          throw new GatewayError('HGW_MEDIA_PROMPT', `prompt ${fileName} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); run scripts/make-prompts.sh`, { cause: error });
        }
        const parsed = parsePromptWav(bytes);
        if (!parsed.ok) throw new GatewayError('HGW_MEDIA_PROMPT', `prompt ${fileName} is malformed: ${parsed.reason}`);
        loaded.set(segment, parsed.samples);
      }),
    );
    return new PromptLibrary(loaded);
  }

  has(segment: PromptSegment): boolean {
    return this.#samples.has(segment);
  }

  /** One segment's 8 kHz 16-bit samples. */
  samples(segment: PromptSegment): Int16Array {
    const samples = this.#samples.get(segment);
    if (!samples) throw new GatewayError('HGW_MEDIA_PROMPT', `prompt ${promptFileName(segment)} was not loaded`);
    return samples;
  }

  /** The segments one after another, as one run of samples. */
  concatenate(segments: readonly PromptSegment[]): Int16Array {
    const parts = segments.map((segment) => this.samples(segment));
    const out = new Int16Array(parts.reduce((total, part) => total + part.length, 0));
    let offset = 0;
    for (const part of parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }
}
