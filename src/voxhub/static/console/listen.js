// listen.js: the Listen tab. Real-time recognition over WS /v1/asr/stream (hold to talk:
// partials live, finals appended; a token from the key, as on /test) and file transcription
// with POST /v1/asr/transcriptions, its segments saved as SRT or WebVTT. Each takes
// hotwords: the stream as a list in its start message, the file as the field's text.

import { api, onKeyChange } from "/static/console/session.js";
import { showError, notice } from "/static/console/notify.js";
import { t, onLanguageChange } from "/static/console/i18n.js";
import { Microphone } from "/static/console/microphone.js";
import { saveBlob } from "/static/console/files.js";
import { toSrt, toVtt } from "/static/console/subtitles.js";

const $ = (id) => document.getElementById(id);
const RATE = 16000;
const STREAM_PATH = "v1/asr/stream";
// close codes: refused for the key (1008), too many connections (1013)
const KEY_REFUSED = 1008;
const TRY_AGAIN = 1013;
// the separators the server splits the file route's hotwords field on, so that a stream
// gets the same words as a file from the same text
const HOTWORD_SEPARATORS = /[,，、;；\n]+/;

// the words of a hotwords field: trimmed, empty ones dropped
function hotwordList(text) {
  return text
    .split(HOTWORD_SEPARATORS)
    .map((word) => word.trim())
    .filter(Boolean);
}

export function setupListen() {
  const ui = {
    engine: $("listen-engine"),
    language: $("listen-language"),
    hotwords: $("listen-hotwords"),
    partials: $("listen-partials"),
    state: $("listen-state"),
    ptt: $("listen-ptt"),
    clear: $("listen-clear"),
    transcript: $("listen-transcript"),
    partial: $("listen-partial"),
    file: $("file-audio"),
    fileEngine: $("file-engine"),
    fileLanguage: $("file-language"),
    fileHotwords: $("file-hotwords"),
    fileGo: $("file-go"),
    fileState: $("file-state"),
    fileResult: $("file-result"),
    fileDownloads: $("file-downloads"),
  };
  let socket = null;
  let connecting = null;
  let openedWith = null; // the start message the open stream was started with
  let talking = false;
  let capturing = false;
  let stopping = false;
  let starting = null;
  let state = { key: "stateIdle", vars: {} };

  const setState = (name, key, vars = {}) => {
    state = { key, vars };
    ui.state.dataset.state = name;
    ui.state.textContent = t(key, vars);
  };

  const microphone = new Microphone(RATE, (pcm, flushed) => {
    if (capturing && socket && socket.readyState === WebSocket.OPEN && pcm.byteLength) socket.send(pcm);
    if (flushed && stopping) {
      stopping = false;
      capturing = false;
      if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "stop" }));
    }
  });

  const addFinal = (message) => {
    const line = document.createElement("p");
    line.className = "final";
    line.textContent = message.text || t("nothingRecognized");
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = `${message.language || ""} · ${Number(message.duration || 0).toFixed(1)} s`;
    line.append(meta);
    ui.transcript.insertBefore(line, ui.partial);
    ui.partial.textContent = "";
  };

  const onMessage = (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (message.type === "ready") setState("ready", "stateReady", { engine: message.engine, language: message.language });
    else if (message.type === "partial") ui.partial.textContent = message.text;
    else if (message.type === "final") addFinal(message);
    else if (message.type === "reset") ui.partial.textContent = "";
    else if (message.type === "error") notice(`${message.code}: ${message.message}`, "error");
  };

  const connect = () => {
    if (socket && socket.readyState === WebSocket.OPEN) return Promise.resolve(socket);
    if (!connecting) {
      setState("connecting", "stateConnecting");
      connecting = api()
        .socketUrl(STREAM_PATH)
        .then(open)
        .catch((error) => {
          if (!socket) setState("error", "stateClosed", { code: "" });
          throw error;
        })
        .finally(() => {
          connecting = null;
        });
    }
    return connecting;
  };

  const open = (url) => {
    const ws = new WebSocket(url);
    ws.binaryType = "arraybuffer";
    return new Promise((resolve, reject) => {
      ws.onopen = () => {
        socket = ws;
        setState("connected", "stateConnected");
        resolve(ws);
      };
      ws.onmessage = onMessage;
      ws.onclose = (event) => {
        const why = event.reason ? ` ${event.reason}` : "";
        setState("closed", "stateClosed", { code: event.code });
        if (event.code === KEY_REFUSED) notice(`${t("err401")}${why}`, "error");
        else if (event.code === TRY_AGAIN) notice(`${t("errBusy")}${why}`, "error");
        else if (event.code !== 1000 && event.code !== 1005) notice(t("connectionClosed", { code: event.code }) + why, "error");
        if (socket === ws) {
          socket = null;
          openedWith = null;
        }
        // before the connection opened: the caller hears why (already shown), after: nothing
        const closed = new Error(t("connectionClosed", { code: event.code }) + why);
        closed.shown = true;
        reject(closed);
        if (talking) release();
      };
    });
  };

  const startMessage = () => {
    const start = { type: "start", sample_rate: RATE, format: "pcm16", language: ui.language.value, partials: ui.partials.checked };
    if (ui.engine.value) start.engine = ui.engine.value;
    const hotwords = hotwordList(ui.hotwords.value);
    if (hotwords.length) start.hotwords = hotwords;
    return JSON.stringify(start);
  };

  const press = async () => {
    if (talking) return;
    talking = true;
    ui.ptt.classList.add("talking");
    ui.ptt.setAttribute("aria-pressed", "true");
    starting = (async () => {
      try {
        const ws = await connect();
        await microphone.open();
        const start = startMessage();
        if (start !== openedWith) {
          ws.send(start);
          openedWith = start;
        }
        microphone.clear();
        capturing = true;
      } catch (error) {
        if (!error.shown) showError(error, t("listenFailed"));
        talking = false;
        unpress();
      }
    })();
    await starting;
  };

  const release = async () => {
    if (!talking) return;
    talking = false;
    unpress();
    if (starting) await starting;
    if (!capturing) return;
    stopping = true;
    microphone.flush();
  };

  const unpress = () => {
    ui.ptt.classList.remove("talking");
    ui.ptt.setAttribute("aria-pressed", "false");
  };

  const loadEngines = async () => {
    for (const select of [ui.engine, ui.fileEngine]) {
      const chosen = select.value;
      select.replaceChildren();
      try {
        const found = await api().asrEngines();
        for (const engine of found.engines) select.add(new Option(engine.name, engine.name, false, engine.name === found.default));
        if (chosen && found.engines.some((engine) => engine.name === chosen)) select.value = chosen;
      } catch (error) {
        select.add(new Option(t("serverDefault"), ""));
        if (select === ui.engine) showError(error, t("enginesFailed"));
      }
    }
  };

  const transcribe = async () => {
    const file = ui.file.files[0];
    if (!file) {
      notice(t("chooseFile"), "error");
      return;
    }
    ui.fileGo.disabled = true;
    ui.fileState.textContent = t("transcribing");
    ui.fileResult.replaceChildren();
    ui.fileDownloads.replaceChildren();
    const started = performance.now();
    try {
      const result = await api().transcribe(file, {
        language: ui.fileLanguage.value,
        engine: ui.fileEngine.value || undefined,
        wordTimestamps: true,
        responseFormat: "json",
        hotwords: ui.fileHotwords.value.trim(),
      });
      const seconds = (performance.now() - started) / 1000;
      const took = t("transcribed", { duration: result.duration.toFixed(1), seconds: seconds.toFixed(1), engine: result.engine });
      // an engine without hotwords (pocketsphinx) transcribes without them: say so
      ui.fileState.textContent = result.hotwords_applied === false ? `${took} · ${t("hotwordsIgnored")}` : took;
      const text = document.createElement("p");
      text.className = "file-text";
      text.textContent = result.text || t("nothingRecognized");
      const list = document.createElement("ol");
      list.className = "segments";
      for (const segment of result.segments) {
        const item = document.createElement("li");
        item.textContent = `[${segment.start.toFixed(2)}–${segment.end.toFixed(2)}] ${segment.text}`;
        list.append(item);
      }
      ui.fileResult.replaceChildren(text, list);
      const base = file.name.replace(/\.[^.]*$/, "") || "transcript";
      const cues = result.segments.filter((segment) => segment.text.trim());
      for (const [kind, make, type] of [
        ["srt", () => toSrt(cues), "application/x-subrip"],
        ["vtt", () => toVtt(cues), "text/vtt"],
        ["json", () => JSON.stringify(result, null, 2), "application/json"],
      ]) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "download";
        button.dataset.kind = kind;
        button.textContent = `${t("download")} ${kind.toUpperCase()}`;
        button.addEventListener("click", () => saveBlob(new Blob([make()], { type }), `${base}.${kind}`));
        ui.fileDownloads.append(button);
      }
    } catch (error) {
      ui.fileState.textContent = "";
      showError(error, t("transcribeFailed"));
    } finally {
      ui.fileGo.disabled = false;
    }
  };

  ui.ptt.addEventListener("pointerdown", (event) => {
    ui.ptt.setPointerCapture(event.pointerId);
    press();
  });
  for (const name of ["pointerup", "pointercancel"]) ui.ptt.addEventListener(name, () => release());
  // the keyboard holds the button too: Space or Enter down to talk, up for the final
  ui.ptt.addEventListener("keydown", (event) => {
    if ((event.key === " " || event.key === "Enter") && !event.repeat) {
      event.preventDefault();
      press();
    }
  });
  ui.ptt.addEventListener("keyup", (event) => {
    if (event.key === " " || event.key === "Enter") {
      event.preventDefault();
      release();
    }
  });
  ui.clear.addEventListener("click", () => {
    for (const line of [...ui.transcript.querySelectorAll(".final")]) line.remove();
    ui.partial.textContent = "";
  });
  ui.fileGo.addEventListener("click", transcribe);
  onKeyChange(() => {
    if (socket && !talking) socket.close(1000);
    loadEngines();
  });
  onLanguageChange(() => {
    ui.state.textContent = t(state.key, state.vars);
  });
  ui.ptt.setAttribute("aria-pressed", "false");
  setState("idle", "stateIdle");
  return { start: loadEngines };
}
