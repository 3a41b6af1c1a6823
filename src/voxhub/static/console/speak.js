// speak.js: the Speak tab. POST /v1/tts gives the audio file, the subtitles and the word
// timings; with "play while it is made" POST /v1/tts/stream (raw PCM) is heard as it is
// synthesized next to it, which is what time to first audio measures.

import { textLimit } from "/static/console/openapi.js";
import { api } from "/static/console/session.js";
import { showError } from "/static/console/notify.js";
import { t, onLanguageChange } from "/static/console/i18n.js";
import { MediaView } from "/static/console/media-view.js";
import { LivePcm, unlockAudio } from "/static/console/live-audio.js";
import { objectUrl, saveBlob } from "/static/console/files.js";
import {
  fillFormatPicker,
  fillLanguagePicker,
  fillVoicePicker,
  onVoices,
  voices,
} from "/static/console/voice-list.js";

const $ = (id) => document.getElementById(id);
// the online limit when /openapi.json cannot be read
const FALLBACK_LIMIT = 300;

export function setupSpeak() {
  const ui = {
    text: $("speak-text"),
    count: $("speak-count"),
    voice: $("speak-voice"),
    sample: $("speak-sample"),
    language: $("speak-language"),
    speed: $("speak-speed"),
    speedValue: $("speak-speed-value"),
    format: $("speak-format"),
    live: $("speak-live"),
    go: $("speak-go"),
    stop: $("speak-stop"),
    state: $("speak-state"),
    ttfa: $("speak-ttfa"),
    rtf: $("speak-rtf"),
    duration: $("speak-duration"),
    used: $("speak-voice-used"),
  };
  const view = new MediaView($("speak-media"), "speak");
  const preview = new Audio();
  let limit = FALLBACK_LIMIT;
  let current = null; // { abort: AbortController, live: LivePcm | null }
  let stateKey = "";

  const setState = (key, vars) => {
    stateKey = key;
    ui.state.textContent = key ? t(key, vars) : "";
    ui.state.dataset.state = key;
  };

  const count = () => {
    const used = [...ui.text.value].length;
    ui.count.textContent = t("charCount", { used, limit });
    ui.count.classList.toggle("over", used > limit);
    ui.count.title = used > limit ? t("overLimit") : "";
  };

  const request = () => {
    const body = { text: ui.text.value, speed: Number(ui.speed.value), format: ui.format.value };
    if (ui.voice.value) body.voice = ui.voice.value;
    if (ui.language.value) body.language = ui.language.value;
    return body;
  };

  const stop = () => {
    if (!current) return;
    current.abort.abort();
    if (current.live) current.live.stop();
    current = null;
  };

  // the streamed playback's position, for the view; its end is the end of this run
  const heard = (live, run) => {
    const position = live.position();
    if (position === null && current === run && stateKey === "playing") setState("done");
    return position;
  };

  // the stream heard as it arrives: resolves with its figures once it has all arrived
  const stream = async (body, run, started) => {
    const response = await api().streamSpeech({ ...body, format: "pcm" }, { signal: run.abort.signal });
    const rate = Number(response.headers.get("X-Voxhub-Sample-Rate")) || 24000;
    const live = new LivePcm(rate);
    run.live = live;
    await live.resume();
    view.follow(() => heard(live, run));
    view.onPlay = () => live.stop();
    const reader = response.body.getReader();
    let first = null;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (live.push(value) && first === null) {
          first = performance.now() - started;
          ui.ttfa.textContent = `${Math.round(first)} ms`;
          setState("playing");
        }
      }
    } finally {
      // what has arrived plays to its end, even when the rest never comes
      live.finish();
    }
    const seconds = live.seconds();
    const elapsed = (performance.now() - started) / 1000;
    if (seconds > 0) ui.rtf.textContent = (elapsed / seconds).toFixed(3);
    return { first, seconds };
  };

  const show = async (result, run, started, live) => {
    const response = await api().get(result.audio_url, { signal: run.abort.signal });
    const blob = await response.blob();
    const bytes = await blob.arrayBuffer();
    const name = `voxhub-${result.id}`;
    const text = (content, type) => new Blob([content], { type });
    await view.show({
      audio: objectUrl(blob, "speak"),
      bytes,
      units: result.words.length ? result.words : result.sentences,
      duration: result.duration,
      downloads: [
        { kind: result.format, save: () => saveBlob(blob, `${name}.${result.format}`) },
        { kind: "srt", save: () => saveBlob(text(result.srt, "application/x-subrip"), `${name}.srt`) },
        { kind: "vtt", save: () => saveBlob(text(result.vtt || "", "text/vtt"), `${name}.vtt`) },
        {
          kind: "json",
          save: () => {
            const { id, voice, language, duration, words, sentences, cues } = result;
            const json = JSON.stringify({ id, voice, language, duration, words, sentences, cues }, null, 2);
            saveBlob(text(json, "application/json"), `${name}.json`);
          },
        },
      ],
    });
    ui.duration.textContent = `${result.duration.toFixed(2)} s`;
    ui.used.textContent = `${result.voice} · ${result.language}`;
    if (!live) {
      view.audio.addEventListener(
        "playing",
        () => {
          if (current === run) ui.ttfa.textContent = `${Math.round(performance.now() - started)} ms`;
        },
        { once: true },
      );
      view.audio.play().catch(() => setState("pressPlay"));
    } else if (run.live && run.live.position() !== null) {
      view.follow(() => heard(run.live, run));
    }
  };

  const speak = async () => {
    stop();
    const body = request();
    const run = { abort: new AbortController(), live: null };
    current = run;
    const live = ui.live.checked;
    if (live) unlockAudio();
    for (const figure of [ui.ttfa, ui.rtf, ui.duration, ui.used]) figure.textContent = "–";
    view.reset();
    setState("synthesizing");
    ui.go.disabled = true;
    const started = performance.now();
    const timed = api().speak({ ...body, subtitle_format: "all" });
    const streaming = live ? stream(body, run, started) : Promise.resolve(null);
    const [result, streamed] = await Promise.allSettled([timed, streaming]);
    try {
      if (current !== run) return;
      if (result.status === "rejected") throw result.reason;
      if (streamed.status === "rejected" && streamed.reason.name !== "AbortError") throw streamed.reason;
      if (!live) {
        const elapsed = (performance.now() - started) / 1000;
        if (result.value.duration > 0) ui.rtf.textContent = (elapsed / result.value.duration).toFixed(3);
      }
      await show(result.value, run, started, live);
      if (current === run) setState(live && run.live && run.live.position() !== null ? "playing" : "done");
    } catch (error) {
      if (error.name === "AbortError") return;
      setState("failed");
      showError(error, t("speakFailed"));
    } finally {
      ui.go.disabled = false;
    }
  };

  ui.text.addEventListener("input", count);
  ui.text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      speak();
    }
  });
  ui.speed.addEventListener("input", () => {
    ui.speedValue.textContent = `${Number(ui.speed.value).toFixed(2)}×`;
  });
  ui.go.addEventListener("click", speak);
  ui.stop.addEventListener("click", () => {
    stop();
    view.audio.pause();
    preview.pause();
    setState("stopped");
  });
  ui.sample.addEventListener("click", async () => {
    const option = ui.voice.selectedOptions[0];
    let url = option && option.dataset.sample;
    if (!url) {
      const fallback = voices().defaults[ui.language.value || "en"];
      const voice = voices().voices.find((v) => v.id === fallback);
      url = voice && voice.sample_url;
    }
    if (!url) return;
    try {
      preview.src = await api().tokenUrl(url);
      await preview.play();
    } catch (error) {
      showError(error, t("sampleFailed"));
    }
  });
  onVoices((list) => fillVoicePicker(ui.voice, list));
  const relabel = () => {
    fillVoicePicker(ui.voice);
    fillLanguagePicker(ui.language);
    count();
    setState(stateKey);
  };
  onLanguageChange(relabel);
  fillLanguagePicker(ui.language);
  fillFormatPicker(ui.format);
  relabel();
  textLimit("TTSRequest", FALLBACK_LIMIT).then((found) => {
    limit = found;
    count();
  });
  return { view };
}
