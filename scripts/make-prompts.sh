#!/usr/bin/env bash
# Regenerates the Dutch prompt segments in src/media/prompts/nl/ (committed; the box never runs
# this). Each segment of src/media/prompt-catalog.ts is spoken by espeak-ng (Dutch voice), then
# resampled here to 8 kHz (windowed-sinc low-pass at 3.6 kHz), trimmed of leading/trailing silence,
# normalized to the same peak and written as 8 kHz 16-bit mono WAV; the hold music is synthesized.
#
#   apt-get install -y espeak-ng     # once
#   bash scripts/make-prompts.sh     # ESPEAK_VOICE (default nl) and ESPEAK_SPEED (default 150) tune it
set -euo pipefail
cd "$(dirname "$0")/.."
command -v espeak-ng >/dev/null || { echo "make-prompts: espeak-ng is missing (apt-get install -y espeak-ng)" >&2; exit 1; }
voice="${ESPEAK_VOICE:-nl}"
speed="${ESPEAK_SPEED:-150}"
out="src/media/prompts/nl"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# id<TAB>text for every spoken segment, straight from the catalog.
node --import tsx --input-type=module -e "
  const { promptTexts } = await import('./src/media/prompt-catalog.ts');
  for (const [id, text] of promptTexts()) if (text !== undefined) console.log(id + '\t' + text);
" > "$work/texts.tsv"

while IFS=$'\t' read -r id text; do
  espeak-ng -v "$voice" -s "$speed" -w "$work/$id.wav" "$text"
done < "$work/texts.tsv"

WORK="$work" OUT="$out" node --import tsx --input-type=module -e "
  const { readFileSync, writeFileSync, readdirSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { encodePromptWav } = await import('./src/media/wav-file.ts');
  const { HOLD_MUSIC_SEGMENT } = await import('./src/media/prompt-catalog.ts');
  const RATE = 8000, CUTOFF = 3600, HALF_WIDTH = 32, PEAK = 0.7 * 32767;

  function readEspeakWav(bytes) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let offset = 12, rate = 0;
    while (offset + 8 <= bytes.length) {
      const id = bytes.toString('latin1', offset, offset + 4);
      const size = view.getUint32(offset + 4, true);
      if (id === 'fmt ') rate = view.getUint32(offset + 12, true);
      if (id === 'data') {
        const count = Math.floor(Math.min(size, bytes.length - offset - 8) / 2);
        const samples = new Float64Array(count);
        for (let i = 0; i < count; i++) samples[i] = view.getInt16(offset + 8 + i * 2, true);
        return { rate, samples };
      }
      offset += 8 + size + (size % 2);
    }
    throw new Error('no data chunk');
  }

  function resample({ rate, samples }) {
    const step = rate / RATE, fc = CUTOFF / rate;
    const out = new Float64Array(Math.floor(samples.length / step));
    for (let n = 0; n < out.length; n++) {
      const t = n * step, centre = Math.floor(t);
      let sum = 0;
      for (let k = centre - HALF_WIDTH + 1; k <= centre + HALF_WIDTH; k++) {
        if (k < 0 || k >= samples.length) continue;
        const x = t - k;
        const sinc = x === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * x) / (Math.PI * x);
        const window = 0.42 + 0.5 * Math.cos(Math.PI * x / HALF_WIDTH) + 0.08 * Math.cos(2 * Math.PI * x / HALF_WIDTH);
        sum += samples[k] * sinc * window;
      }
      out[n] = sum;
    }
    return out;
  }

  function trimAndNormalize(samples) {
    let peak = 0;
    for (const s of samples) peak = Math.max(peak, Math.abs(s));
    const threshold = peak * 0.02;
    let first = 0, last = samples.length - 1;
    while (first < last && Math.abs(samples[first]) < threshold) first++;
    while (last > first && Math.abs(samples[last]) < threshold) last--;
    const lead = 0.02 * RATE, tail = 0.1 * RATE;
    const body = samples.subarray(Math.max(0, first - lead), last + 1);
    const out = new Int16Array(body.length + tail);
    const gain = peak > 0 ? PEAK / peak : 0;
    for (let i = 0; i < body.length; i++) out[i] = Math.round(body[i] * gain);
    return out;
  }

  function holdMusic() {
    const notes = [523.25, 659.25, 783.99, 659.25, 587.33, 698.46, 880.0, 698.46];
    const noteSamples = 0.4 * RATE, out = new Int16Array(notes.length * noteSamples);
    notes.forEach((frequency, index) => {
      for (let i = 0; i < noteSamples; i++) {
        const envelope = Math.min(1, i / (0.02 * RATE)) * Math.exp(-3 * i / noteSamples);
        out[index * noteSamples + i] = Math.round(0.25 * 32767 * envelope * Math.sin(2 * Math.PI * frequency * i / RATE));
      }
    });
    return out;
  }

  const work = process.env.WORK, out = process.env.OUT;
  let count = 0;
  for (const name of readdirSync(work).filter((file) => file.endsWith('.wav'))) {
    const samples = trimAndNormalize(resample(readEspeakWav(readFileSync(join(work, name)))));
    writeFileSync(join(out, name), encodePromptWav(samples));
    count++;
  }
  writeFileSync(join(out, HOLD_MUSIC_SEGMENT + '.wav'), encodePromptWav(holdMusic()));
  console.log('make-prompts: wrote ' + (count + 1) + ' files to ' + out);
"
