// microphone.js: the microphone as PCM16 frames at a chosen rate, through the AudioWorklet
// the /test page uses (/static/asr-worklet.js resamples and frames the audio).

export class Microphone {
  // `onFrame(pcm: ArrayBuffer, flushed: boolean)` gets each frame of `frameMs`
  constructor(rate, onFrame, frameMs = 100) {
    this.rate = rate;
    this.onFrame = onFrame;
    this.frameMs = frameMs;
    this.parts = null;
  }

  async open() {
    if (this.parts) return;
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
    const context = new AudioContext();
    await context.audioWorklet.addModule("/static/asr-worklet.js");
    const source = context.createMediaStreamSource(stream);
    const node = new AudioWorkletNode(context, "pcm16-capture", {
      processorOptions: { targetRate: this.rate, frameMs: this.frameMs },
    });
    node.port.onmessage = (event) => this.onFrame(event.data.pcm, event.data.flushed);
    // a muted path to the output keeps the graph (and so the worklet) running
    const mute = context.createGain();
    mute.gain.value = 0;
    source.connect(node).connect(mute).connect(context.destination);
    this.parts = { stream, context, node };
    await context.resume();
  }

  get isOpen() {
    return this.parts !== null;
  }

  // posts what is buffered, as a frame with flushed = true
  flush() {
    if (this.parts) this.parts.node.port.postMessage("flush");
  }

  clear() {
    if (this.parts) this.parts.node.port.postMessage("clear");
  }

  close() {
    if (!this.parts) return;
    for (const track of this.parts.stream.getTracks()) track.stop();
    this.parts.context.close();
    this.parts = null;
  }
}

// PCM16 mono frames as a WAV file
export function wavBlob(frames, rate) {
  const length = frames.reduce((sum, frame) => sum + frame.byteLength, 0);
  const header = new DataView(new ArrayBuffer(44));
  const text = (offset, value) => [...value].forEach((c, i) => header.setUint8(offset + i, c.charCodeAt(0)));
  text(0, "RIFF");
  header.setUint32(4, 36 + length, true);
  text(8, "WAVE");
  text(12, "fmt ");
  header.setUint32(16, 16, true);
  header.setUint16(20, 1, true);
  header.setUint16(22, 1, true);
  header.setUint32(24, rate, true);
  header.setUint32(28, rate * 2, true);
  header.setUint16(32, 2, true);
  header.setUint16(34, 16, true);
  text(36, "data");
  header.setUint32(40, length, true);
  return new Blob([header.buffer, ...frames], { type: "audio/wav" });
}
