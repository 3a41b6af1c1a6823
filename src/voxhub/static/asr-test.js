// asr-test.js: the /test page. Captures the microphone with an AudioWorklet (asr-worklet.js,
// which resamples to 16 kHz PCM16), streams it to /v1/asr/stream while the push-to-talk
// button is held (or toggled on), shows partials live in grey and appends finals.
//
// With API keys on (VOXHUB_AUTH__MODE=keys) the page needs a key: it is kept in this tab's
// sessionStorage at most (never localStorage, never a URL), sent in the Authorization header
// of fetch calls, and exchanged for a short-lived token (POST /v1/auth/tokens) that the
// WebSocket, which cannot send headers, carries as ?token=.

const $ = (id) => document.getElementById(id);
const ui = {
  engine: $("engine"),
  language: $("language"),
  partials: $("partials"),
  state: $("state"),
  ptt: $("ptt"),
  toggle: $("toggle"),
  reset: $("reset"),
  clear: $("clear"),
  transcript: $("transcript"),
  partial: $("partial"),
  errors: $("errors"),
  apiKey: $("api-key"),
};

const TARGET_RATE = 16000;
const STREAM_PATH = "/v1/asr/stream";
// the close code of a connection refused for its key (missing, wrong, revoked, no asr scope)
const KEY_REFUSED = 1008;
const KEY_STORAGE = "voxhub.apiKey";
let socket = null;
let connecting = null;
// the API key the open connection was made with
let connectedWith = null;
// the start options the server's stream was opened with (null: no stream yet)
let openedWith = null;
let audio = null; // { context, node, stream }
let talking = false;
// frames are sent from the worklet until the flush that follows a release
let capturing = false;
let stopping = false;
let starting = null;

function setState(state, text) {
  ui.state.dataset.state = state;
  ui.state.textContent = text;
}

function showError(text) {
  const line = document.createElement("div");
  line.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  ui.errors.prepend(line);
  while (ui.errors.children.length > 8) ui.errors.lastChild.remove();
}

function addFinal(message) {
  const line = document.createElement("p");
  line.className = "final";
  line.textContent = message.text || "(nothing recognized)";
  const meta = document.createElement("span");
  meta.className = "meta";
  meta.textContent = `${message.language} · ${Number(message.duration).toFixed(1)} s`;
  line.append(meta);
  ui.transcript.insertBefore(line, ui.partial);
  ui.partial.textContent = "";
}

function onMessage(event) {
  let message;
  try {
    message = JSON.parse(event.data);
  } catch {
    showError("the server sent a frame that is not JSON");
    return;
  }
  switch (message.type) {
    case "ready":
      setState("ready", `ready · ${message.engine} · ${message.language}`);
      break;
    case "partial":
      ui.partial.textContent = message.text;
      break;
    case "final":
      addFinal(message);
      break;
    case "reset":
      ui.partial.textContent = "";
      break;
    case "error":
      showError(`${message.code}: ${message.message}`);
      break;
    default:
      break;
  }
}

function apiKey() {
  return ui.apiKey.value.trim();
}

function keyHeaders() {
  const key = apiKey();
  return key ? { Authorization: `Bearer ${key}` } : {};
}

async function errorText(response) {
  try {
    return (await response.json()).error.message;
  } catch {
    return `HTTP ${response.status}`;
  }
}

async function authenticationOff() {
  try {
    const response = await fetch("/v1/auth/whoami");
    return response.ok && (await response.json()).authentication === "off";
  } catch {
    return false;
  }
}

// The stream's URL: with a key, plus a token minted for the stream's path (a server with
// authentication off mints none and needs none).
async function streamUrl(key) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const url = new URL(`${scheme}//${location.host}${STREAM_PATH}`);
  if (!key) return url.href;
  const response = await fetch("/v1/auth/tokens", {
    method: "POST",
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: JSON.stringify({ path: STREAM_PATH }),
  });
  if (!response.ok) {
    const why = await errorText(response);
    if (await authenticationOff()) return url.href;
    throw new Error(`the API key was refused: ${why}`);
  }
  url.searchParams.set("token", (await response.json()).token);
  return url.href;
}

function connect() {
  if (socket && socket.readyState === WebSocket.OPEN) return Promise.resolve(socket);
  if (!connecting) {
    const key = apiKey();
    setState("connecting", "connecting…");
    connecting = streamUrl(key)
      .then((url) => open(url, key))
      .catch((error) => {
        if (!socket) setState("error", "not connected");
        throw error;
      })
      .finally(() => {
        connecting = null;
      });
  }
  return connecting;
}

function open(url, key) {
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  return new Promise((resolve, reject) => {
    ws.onopen = () => {
      socket = ws;
      connectedWith = key;
      setState("connected", "connected");
      resolve(ws);
    };
    ws.onmessage = onMessage;
    ws.onclose = (event) => {
      const why = event.reason ? ` · ${event.reason}` : "";
      if (event.code === KEY_REFUSED) {
        setState("closed", `refused (${event.code})`);
        showError(
          key
            ? `the server refused the API key (${event.code})${why}`
            : `this server needs an API key: enter one above (${event.code})${why}`,
        );
      } else {
        setState("closed", `closed (${event.code})${why}`);
        if (event.code !== 1000 && event.code !== 1005) showError(`connection closed ${event.code}${why}`);
      }
      if (socket === ws) {
        socket = null;
        openedWith = null;
      }
      // before the connection opened: the caller hears why (after, this does nothing)
      reject(new Error(`connection closed ${event.code}${why}`));
      if (talking) release();
    };
    ws.onerror = () => setState("error", "connection error");
  });
}

async function microphone() {
  if (audio) return audio;
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
  });
  const context = new AudioContext();
  await context.audioWorklet.addModule("/static/asr-worklet.js");
  const source = context.createMediaStreamSource(stream);
  const node = new AudioWorkletNode(context, "pcm16-capture", {
    processorOptions: { targetRate: TARGET_RATE, frameMs: 100 },
  });
  node.port.onmessage = (event) => {
    const { pcm, flushed } = event.data;
    if (capturing && socket && socket.readyState === WebSocket.OPEN && pcm.byteLength) {
      socket.send(pcm);
    }
    if (flushed && stopping) {
      stopping = false;
      capturing = false;
      if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "stop" }));
    }
  };
  // a muted path to the output keeps the graph (and so the worklet) running
  const mute = context.createGain();
  mute.gain.value = 0;
  source.connect(node).connect(mute).connect(context.destination);
  audio = { context, node, stream };
  return audio;
}

function options() {
  const chosen = { type: "start", sample_rate: TARGET_RATE, format: "pcm16", language: ui.language.value, partials: ui.partials.checked };
  if (ui.engine.value) chosen.engine = ui.engine.value;
  return chosen;
}

async function press() {
  if (talking) return;
  talking = true;
  ui.ptt.classList.add("talking");
  ui.toggle.classList.add("talking");
  ui.toggle.textContent = "Stop talking";
  starting = (async () => {
    try {
      const ws = await connect();
      const mic = await microphone();
      await mic.context.resume();
      const start = JSON.stringify(options());
      if (start !== openedWith) {
        ws.send(start);
        openedWith = start;
      }
      mic.node.port.postMessage("clear");
      capturing = true;
    } catch (error) {
      showError(error.message || String(error));
      talking = false;
      resetButtons();
    }
  })();
  await starting;
}

async function release() {
  if (!talking) return;
  talking = false;
  resetButtons();
  if (starting) await starting;
  if (!capturing || !audio) return;
  stopping = true;
  audio.node.port.postMessage("flush");
}

function resetButtons() {
  ui.ptt.classList.remove("talking");
  ui.toggle.classList.remove("talking");
  ui.toggle.textContent = "Start talking";
}

async function loadEngines() {
  const chosen = ui.engine.value;
  ui.engine.replaceChildren();
  try {
    const response = await fetch("/v1/asr/engines", { headers: keyHeaders() });
    if (!response.ok) throw new Error(await errorText(response));
    const body = await response.json();
    for (const engine of body.engines) {
      const option = new Option(engine.name, engine.name, false, engine.name === body.default);
      ui.engine.add(option);
    }
    if (chosen && body.engines.some((engine) => engine.name === chosen)) ui.engine.value = chosen;
  } catch (error) {
    ui.engine.add(new Option("(server default)", ""));
    showError(`could not list engines: ${error.message}`);
  }
}

ui.ptt.addEventListener("pointerdown", (event) => {
  ui.ptt.setPointerCapture(event.pointerId);
  press();
});
for (const name of ["pointerup", "pointercancel"]) ui.ptt.addEventListener(name, () => release());
ui.toggle.addEventListener("click", () => (talking ? release() : press()));
ui.reset.addEventListener("click", () => {
  if (socket && openedWith) socket.send(JSON.stringify({ type: "reset" }));
  ui.partial.textContent = "";
});
ui.clear.addEventListener("click", () => {
  for (const line of [...ui.transcript.querySelectorAll(".final")]) line.remove();
  ui.partial.textContent = "";
});
// the space bar works as the push-to-talk button, outside form fields
document.addEventListener("keydown", (event) => {
  if (event.code === "Space" && !event.repeat && event.target === document.body) {
    event.preventDefault();
    press();
  }
});
document.addEventListener("keyup", (event) => {
  if (event.code === "Space" && event.target === document.body) {
    event.preventDefault();
    release();
  }
});

ui.apiKey.value = sessionStorage.getItem(KEY_STORAGE) || "";
ui.apiKey.addEventListener("change", () => {
  const key = apiKey();
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
  // the next press connects with the new key
  if (socket && key !== connectedWith && !talking) socket.close(1000);
  loadEngines();
});

loadEngines();
