// asr-worklet.js: an AudioWorklet that turns microphone audio into 16 kHz PCM16 frames.
//
// Input arrives at the AudioContext's rate (often 48 kHz) in blocks of 128 samples. It is
// low-passed below the target Nyquist frequency (two cascaded biquads), resampled by linear
// interpolation, converted to little-endian 16-bit integers and posted to the page in frames
// of `frameMs` milliseconds. Messages from the page: "flush" posts what is buffered (with
// `flushed: true`), "clear" drops it.

class Biquad {
  // an RBJ low-pass filter section
  constructor(cutoff, rate) {
    const w0 = (2 * Math.PI * cutoff) / rate;
    const alpha = Math.sin(w0) / (2 * Math.SQRT1_2);
    const cos = Math.cos(w0);
    const a0 = 1 + alpha;
    this.b0 = (1 - cos) / 2 / a0;
    this.b1 = (1 - cos) / a0;
    this.b2 = (1 - cos) / 2 / a0;
    this.a1 = (-2 * cos) / a0;
    this.a2 = (1 - alpha) / a0;
    this.x1 = this.x2 = this.y1 = this.y2 = 0;
  }

  step(x) {
    const y = this.b0 * x + this.b1 * this.x1 + this.b2 * this.x2 - this.a1 * this.y1 - this.a2 * this.y2;
    this.x2 = this.x1;
    this.x1 = x;
    this.y2 = this.y1;
    this.y1 = y;
    return y;
  }
}

class Pcm16Capture extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const opts = (options && options.processorOptions) || {};
    this.target = opts.targetRate || 16000;
    this.frameSamples = Math.round((this.target * (opts.frameMs || 100)) / 1000);
    // `sampleRate` is the AudioContext's rate, a global of the worklet scope
    this.ratio = sampleRate / this.target;
    this.filters = this.ratio > 1
      ? [new Biquad(0.45 * this.target, sampleRate), new Biquad(0.45 * this.target, sampleRate)]
      : [];
    // read position of the next output sample, in input samples from the current block's
    // start; -1 is the last sample of the previous block (`previous`)
    this.position = 0;
    this.previous = 0;
    this.frame = new Int16Array(this.frameSamples);
    this.filled = 0;
    this.port.onmessage = (event) => {
      if (event.data === "flush") this.flush();
      else if (event.data === "clear") this.filled = 0;
    };
  }

  process(inputs) {
    const input = inputs[0];
    if (!input || input.length === 0 || input[0].length === 0) return true;
    const length = input[0].length;
    const block = new Float32Array(length);
    for (let i = 0; i < length; i++) {
      let x = 0;
      for (let c = 0; c < input.length; c++) x += input[c][i];
      x /= input.length;
      for (const filter of this.filters) x = filter.step(x);
      block[i] = x;
    }
    while (this.position < length - 1) {
      const index = Math.floor(this.position);
      const frac = this.position - index;
      const a = index < 0 ? this.previous : block[index];
      const b = block[index + 1];
      this.push(a + (b - a) * frac);
      this.position += this.ratio;
    }
    this.position -= length;
    this.previous = block[length - 1];
    return true;
  }

  push(sample) {
    const clipped = Math.max(-1, Math.min(1, sample));
    this.frame[this.filled++] = clipped < 0 ? clipped * 32768 : clipped * 32767;
    if (this.filled === this.frameSamples) {
      this.port.postMessage({ pcm: this.frame.buffer, flushed: false }, [this.frame.buffer]);
      this.frame = new Int16Array(this.frameSamples);
      this.filled = 0;
    }
  }

  flush() {
    const rest = this.frame.slice(0, this.filled);
    this.filled = 0;
    this.port.postMessage({ pcm: rest.buffer, flushed: true }, [rest.buffer]);
  }
}

registerProcessor("pcm16-capture", Pcm16Capture);
