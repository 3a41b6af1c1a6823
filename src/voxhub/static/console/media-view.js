// media-view.js: a result to hear and see: the <audio> player, the waveform of the decoded
// audio (click to seek), the subtitles with the word being spoken highlighted on
// `timeupdate`, and the downloads.

import { showError } from "/static/console/notify.js";
import { t, onLanguageChange } from "/static/console/i18n.js";
import { Subtitles } from "/static/console/subtitles.js";
import { Waveform, decode } from "/static/console/waveform.js";

export class MediaView {
  constructor(container, slot) {
    this.slot = slot;
    this.audio = document.createElement("audio");
    this.audio.controls = true;
    this.audio.preload = "auto";
    this.audio.className = "player";
    this.canvas = document.createElement("canvas");
    this.canvas.className = "waveform";
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute("role", "slider");
    this.note = document.createElement("p");
    this.note.className = "hint";
    const words = document.createElement("div");
    words.className = "subtitles";
    this.downloads = document.createElement("div");
    this.downloads.className = "row downloads";
    container.replaceChildren(this.audio, this.canvas, this.note, words, this.downloads);
    this.waveform = new Waveform(this.canvas);
    this.subtitles = new Subtitles(words);
    this.duration = 0;
    // a clock other than the player's (audio played as it streams), or null
    this.clock = null;
    const follow = () => {
      if (this.clock) return;
      this._show(this.audio.currentTime);
    };
    for (const name of ["timeupdate", "seeked", "loadedmetadata"]) {
      this.audio.addEventListener(name, follow);
    }
    // the player takes over from a streamed playback the moment it plays
    this.audio.addEventListener("play", () => {
      this.clock = null;
      if (this.onPlay) this.onPlay();
    });
    this.canvas.addEventListener("click", (event) => {
      const box = this.canvas.getBoundingClientRect();
      this.seek(((event.clientX - box.left) / box.width) * this._length());
    });
    this.canvas.addEventListener("keydown", (event) => {
      const step = { ArrowLeft: -2, ArrowRight: 2 }[event.key];
      if (step !== undefined) {
        event.preventDefault();
        this.seek(this.audio.currentTime + step);
      }
    });
    this._label();
    onLanguageChange(() => this._label());
  }

  // `audio`: a URL the player can load; `bytes`: the same audio, for the waveform (may be
  // null: no waveform); `units`: timed words or sentences; `downloads`: [{kind, save}]
  async show({ audio, bytes, units, duration, downloads }) {
    this.clock = null;
    this.duration = duration || 0;
    this.subtitles.set(units);
    this.waveform.clear();
    this.note.textContent = "";
    this.audio.src = audio;
    this._downloads(downloads || []);
    if (bytes) {
      try {
        this.waveform.set(await decode(bytes));
      } catch (error) {
        this.note.textContent = t("noWaveform");
      }
    } else {
      this.note.textContent = t("noWaveformLong");
    }
  }

  // a streamed playback shows its position through `clock()` (seconds, or null once over)
  follow(clock) {
    this.clock = clock;
    const tick = () => {
      if (this.clock !== clock) return;
      const seconds = clock();
      if (seconds === null) {
        this.clock = null;
        return;
      }
      this._show(seconds);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }

  seek(seconds) {
    this.clock = null;
    this.audio.currentTime = Math.max(0, Math.min(this._length(), seconds));
    this._show(this.audio.currentTime);
  }

  reset() {
    this.clock = null;
    this.audio.removeAttribute("src");
    this.audio.load();
    this.subtitles.set([]);
    this.waveform.clear();
    this.downloads.replaceChildren();
    this.note.textContent = "";
  }

  _length() {
    return Number.isFinite(this.audio.duration) ? this.audio.duration : this.duration;
  }

  _show(seconds) {
    const length = this._length();
    this.waveform.at(length ? seconds / length : 0);
    this.subtitles.at(seconds);
    this.canvas.setAttribute("aria-valuenow", seconds.toFixed(1));
  }

  _downloads(entries) {
    this.downloads.replaceChildren();
    for (const entry of entries) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "download";
      button.dataset.kind = entry.kind;
      button.textContent = `${t("download")} ${entry.kind.toUpperCase()}`;
      button.addEventListener("click", () => {
        Promise.resolve(entry.save()).catch((error) => showError(error, t("download")));
      });
      this.downloads.append(button);
    }
  }

  _label() {
    this.canvas.setAttribute("aria-label", t("waveform"));
    for (const button of this.downloads.querySelectorAll("button")) {
      button.textContent = `${t("download")} ${button.dataset.kind.toUpperCase()}`;
    }
  }
}
