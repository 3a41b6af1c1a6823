// waveform.js: a waveform on a <canvas> from decoded audio (min/max per pixel column), with
// the played part in another colour.

// decodeAudioData needs a context; one is enough for every decode of the page
let decoder = null;

export async function decode(bytes) {
  if (!decoder) decoder = new OfflineAudioContext(1, 1, 44100);
  return decoder.decodeAudioData(bytes);
}

// [min, max] pairs of `columns` equal stretches of the first channel
export function peaks(buffer, columns) {
  const samples = buffer.getChannelData(0);
  const step = Math.max(1, Math.floor(samples.length / columns));
  const result = new Float32Array(columns * 2);
  for (let column = 0; column < columns; column++) {
    let low = 0;
    let high = 0;
    const end = Math.min(samples.length, (column + 1) * step);
    for (let i = column * step; i < end; i++) {
      const value = samples[i];
      if (value < low) low = value;
      if (value > high) high = value;
    }
    result[column * 2] = low;
    result[column * 2 + 1] = high;
  }
  return result;
}

export class Waveform {
  constructor(canvas) {
    this.canvas = canvas;
    this.buffer = null;
    this.cached = null;
    this.progress = 0;
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  set(buffer) {
    this.buffer = buffer;
    this.cached = null;
    this.draw();
  }

  clear() {
    this.set(null);
  }

  // the playhead at `fraction` (0–1) of the audio
  at(fraction) {
    this.progress = Math.max(0, Math.min(1, fraction || 0));
    this.draw();
  }

  draw() {
    const canvas = this.canvas;
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
    const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    const g = canvas.getContext("2d");
    g.clearRect(0, 0, width, height);
    const middle = height / 2;
    if (!this.buffer) {
      g.fillStyle = "#c9cfdb";
      g.fillRect(0, middle - ratio / 2, width, ratio);
      return;
    }
    if (!this.cached || this.cached.length !== width * 2) this.cached = peaks(this.buffer, width);
    const played = Math.round(this.progress * width);
    for (let x = 0; x < width; x++) {
      const low = this.cached[x * 2];
      const high = this.cached[x * 2 + 1];
      g.fillStyle = x < played ? "#2f6fec" : "#9db4e8";
      const top = middle - high * middle;
      g.fillRect(x, top, 1, Math.max(ratio, (high - low) * middle));
    }
    g.fillStyle = "#d93b3b";
    g.fillRect(Math.min(played, width - ratio), 0, ratio, height);
  }
}
