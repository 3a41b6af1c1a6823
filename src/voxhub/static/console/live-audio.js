// live-audio.js: raw PCM16 audio played with WebAudio while it is still arriving (the body
// of POST /v1/tts/stream with format pcm), each piece scheduled right after the previous.

let playback = null;

function context() {
  if (!playback) playback = new AudioContext();
  return playback;
}

// Called from the click that starts playback: browsers let audio start within a user's
// gesture, and the stream's first bytes may come after the gesture has expired.
export function unlockAudio() {
  const shared = context();
  if (shared.state === "suspended") shared.resume().catch(() => {});
}

export class LivePcm {
  constructor(sampleRate) {
    this.rate = sampleRate;
    this.context = context();
    // where the next piece starts, in the context's time; null until the first
    this.next = null;
    this.begin = null;
    this.samples = 0;
    this.carry = null;
    this.sources = new Set();
    this.stopped = false;
  }

  // bytes of little-endian PCM16; an odd byte waits for the next piece. Returns whether
  // this piece was the first heard.
  push(bytes) {
    if (this.stopped) return false;
    let data = bytes;
    if (this.carry) {
      data = new Uint8Array(this.carry.length + bytes.length);
      data.set(this.carry);
      data.set(bytes, this.carry.length);
      this.carry = null;
    }
    const whole = data.length - (data.length % 2);
    if (whole < data.length) this.carry = data.slice(whole);
    if (!whole) return false;
    const view = new DataView(data.buffer, data.byteOffset, whole);
    const count = whole / 2;
    const buffer = this.context.createBuffer(1, count, this.rate);
    const channel = buffer.getChannelData(0);
    for (let i = 0; i < count; i++) channel[i] = view.getInt16(i * 2, true) / 32768;
    const first = this.next === null;
    const now = this.context.currentTime;
    // a piece that comes late starts at once (a gap), never in the past
    const at = first || this.next < now ? now + 0.05 : this.next;
    if (first) this.begin = at;
    else if (this.next < now) this.begin += at - this.next;
    const source = this.context.createBufferSource();
    source.buffer = buffer;
    source.connect(this.context.destination);
    source.start(at);
    source.addEventListener("ended", () => this.sources.delete(source));
    this.sources.add(source);
    this.next = at + buffer.duration;
    this.samples += count;
    return first;
  }

  async resume() {
    if (this.context.state === "suspended") await this.context.resume();
  }

  // seconds of the audio heard so far (gaps excluded); null once it has all been played
  position() {
    if (this.stopped || this.begin === null) return this.stopped ? null : 0;
    const now = this.context.currentTime;
    if (this.done && now >= this.next) return null;
    return Math.max(0, Math.min(now - this.begin, this.samples / this.rate));
  }

  finish() {
    this.done = true;
  }

  seconds() {
    return this.samples / this.rate;
  }

  stop() {
    this.stopped = true;
    for (const source of this.sources) {
      try {
        source.stop();
      } catch {
        // not started yet
      }
    }
    this.sources.clear();
  }
}
