// voxhub.js: a small client of the voxhub HTTP API for browsers (an ES module, no build step).
//
//   import { VoxhubClient } from "/static/voxhub.js";
//   const voxhub = new VoxhubClient();               // same origin; or { baseUrl, apiKey }
//   const job = await voxhub.submitJob({ text, voice: "espeak:en-us", format: "mp3" });
//   const watch = voxhub.watchJob(job.id, { onProgress: (p) => console.log(p.percent) });
//   const done = await watch.done;                    // the final job: check done.status
//   audio.src = await voxhub.tokenUrl(done.urls.audio); // plays with the key in a token
//
// The API key (a server with VOXHUB_AUTH__MODE=keys) goes in the Authorization header of
// fetch calls, to the API's own origin only. EventSource, WebSocket and <audio src> cannot
// send headers: for them the client mints a short-lived token (POST /v1/auth/tokens) for the
// URL's path and adds it as ?token=; the key itself never goes into a URL.
//
// Errors are thrown as VoxhubError with the server's HTTP status, code and message.

export const TERMINAL_STATUSES = new Set(["succeeded", "failed", "cancelled"]);

export class VoxhubError extends Error {
  constructor(status, code, message, retryAfter = null) {
    super(message);
    this.name = "VoxhubError";
    this.status = status;
    this.code = code;
    // seconds to wait before trying again, when the server said so (429)
    this.retryAfter = retryAfter;
  }
}

export class VoxhubClient {
  constructor({ baseUrl = "", apiKey = null, withCredentials = false } = {}) {
    const here = globalThis.location ? globalThis.location.href : undefined;
    this.baseUrl = new URL(baseUrl || "/", here);
    if (!this.baseUrl.pathname.endsWith("/")) this.baseUrl.pathname += "/";
    this.apiKey = apiKey;
    this.withCredentials = withCredentials;
    // set once the server turns out to need no tokens (authentication off)
    this._authOff = false;
  }

  // POST /v1/tts: the JSON result (srt, words, sentences, audio_url) plus the audio as a Blob.
  async synthesize(request) {
    const speech = await this._json("POST", "v1/tts", request);
    const audio = await this._fetch("GET", speech.audio_url);
    return { ...speech, audio: await audio.blob() };
  }

  // POST /v1/tts without fetching the audio: the JSON result only (audio_url, srt, words, …).
  speak(request) {
    return this._json("POST", "v1/tts", request);
  }

  // POST /v1/tts/stream: the Response, whose body arrives sentence by sentence as it is
  // synthesized (its X-Voxhub-Sample-Rate header gives the rate of `pcm`); `signal` aborts it.
  streamSpeech(request, { signal } = {}) {
    return this._fetch("POST", "v1/tts/stream", request, { signal });
  }

  // GET a path of the API (or a link it returned) with the key: the Response, for files.
  get(path, { signal } = {}) {
    return this._fetch("GET", path, undefined, { signal });
  }

  listVoices({ language, engine } = {}) {
    const query = new URLSearchParams();
    if (language) query.set("language", language);
    if (engine) query.set("engine", engine);
    const search = query.toString();
    return this._json("GET", "v1/voices" + (search ? `?${search}` : ""));
  }

  // POST /v1/voices as a form: name, transcript, audio (a Blob or File), aliases (an array),
  // engine, engine_voice, language, speed, instruction, …; empty values are left out.
  registerVoice(fields) {
    return this._json("POST", "v1/voices", formOf(fields));
  }

  updateVoice(id, changes) {
    return this._json("PATCH", voicePath(id), changes);
  }

  async deleteVoice(id) {
    await this._fetch("DELETE", voicePath(id));
  }

  // POST /v1/asr/transcriptions: JSON (segments, words) or, for srt/vtt/text, the text.
  // `hotwords`: names and terms to expect, one string ("Kubernetes, 司马懿"); the JSON then
  // says whether the engine used them (hotwords_applied).
  async transcribe(file, { language, engine, wordTimestamps, responseFormat, hotwords } = {}) {
    const form = formOf({
      file,
      language,
      engine,
      word_timestamps: wordTimestamps === undefined ? undefined : String(wordTimestamps),
      response_format: responseFormat,
      hotwords,
    });
    const response = await this._fetch("POST", "v1/asr/transcriptions", form);
    return !responseFormat || responseFormat === "json" ? response.json() : response.text();
  }

  asrEngines() {
    return this._json("GET", "v1/asr/engines");
  }

  stats() {
    return this._json("GET", "v1/stats");
  }

  whoami() {
    return this._json("GET", "v1/auth/whoami");
  }

  // GET /health: the document whether healthy (200) or degraded (503, naming the problems).
  async health() {
    const response = await fetch(this._url("health"), {
      headers: { Accept: "application/json" },
      credentials: this.withCredentials ? "include" : "same-origin",
    });
    if (response.status !== 200 && response.status !== 503) throw await errorOf(response);
    return { ...(await response.json()), httpStatus: response.status };
  }

  // A ws:// or wss:// URL of `path` (a WebSocket cannot send headers: a token with a key).
  async socketUrl(path) {
    const url = new URL(await this.tokenUrl(path));
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    return url.href;
  }

  // Follows the events of every job of the key's tenant (GET /v1/events): a `snapshot` of
  // the active jobs, then `status` and `progress` events of any job, submitted anywhere.
  // When a stream refused for an expired token has worked before, a new one opens with a
  // fresh token (and a new snapshot). Returns { close() }.
  watchEvents({ onEvent, onError } = {}) {
    let source = null;
    let closed = false;
    let received = 0;
    const receive = (message) => {
      received += 1;
      const event = { type: message.type, id: Number(message.lastEventId), data: JSON.parse(message.data) };
      if (onEvent) onEvent(event);
    };
    const open = async () => {
      const url = await this.tokenUrl("v1/events");
      if (closed) return;
      const current = new EventSource(url, { withCredentials: this.withCredentials });
      source = current;
      received = 0;
      for (const type of ["snapshot", "status", "progress", "heartbeat"]) {
        current.addEventListener(type, receive);
      }
      current.addEventListener("error", () => {
        if (closed || current !== source || current.readyState !== EventSource.CLOSED) return;
        if (received > 0) {
          setTimeout(() => open().catch(fail), 1000);
        } else {
          fail(new VoxhubError(0, "stream_closed", "The event stream of the jobs closed."));
        }
      });
    };
    const fail = (error) => {
      if (!closed && onError) onError(error);
    };
    open().catch(fail);
    return {
      close: () => {
        closed = true;
        if (source) source.close();
      },
    };
  }

  submitJob(request) {
    return this._json("POST", "v1/tts/jobs", request);
  }

  getJob(id) {
    return this._json("GET", jobPath(id));
  }

  listJobs({ status, limit, offset } = {}) {
    const query = new URLSearchParams();
    if (status) query.set("status", status);
    if (limit !== undefined) query.set("limit", String(limit));
    if (offset !== undefined) query.set("offset", String(offset));
    const search = query.toString();
    return this._json("GET", "v1/tts/jobs" + (search ? `?${search}` : ""));
  }

  cancelJob(id) {
    return this._json("POST", `${jobPath(id)}/cancel`);
  }

  retryJob(id) {
    return this._json("POST", `${jobPath(id)}/retry`);
  }

  // POST /v1/auth/tokens: { token, expires_at, expires_in, query } acting for the API key,
  // good for `path` and below when given, for `seconds` (capped by the server) when given.
  mintToken({ path, seconds } = {}) {
    const body = {};
    if (path !== undefined) body.path = path;
    if (seconds !== undefined) body.seconds = seconds;
    return this._json("POST", "v1/auth/tokens", body);
  }

  // A URL that works without headers (<audio src>, a download link, EventSource): with an
  // API key, `path` (relative to baseUrl, or absolute) plus a token minted for its path;
  // without a key, or for another origin (a presigned storage link), the URL as it is.
  // The token expires (VOXHUB_AUTH__TOKEN_SECONDS, 300 s by default): mint one per use.
  async tokenUrl(path, { seconds } = {}) {
    const url = new URL(this._url(path));
    if (!this.apiKey || this._authOff || url.origin !== this.baseUrl.origin) return url.href;
    let minted;
    try {
      minted = await this.mintToken({ path: url.pathname, seconds });
    } catch (error) {
      // a server with authentication off (or none) mints no tokens and needs none
      if (!(await this._needsNoToken(error))) throw error;
      this._authOff = true;
      return url.href;
    }
    url.searchParams.set("token", minted.token);
    return url.href;
  }

  // Follows a job's events until it ends. EventSource reconnects by itself and resumes with
  // Last-Event-ID, so nothing is missed. EventSource cannot send headers: with an API key the
  // stream's URL carries a token (tokenUrl); when a reconnection is refused because that
  // token has expired, a new stream opens with a fresh one (it starts with a snapshot).
  // Returns { close(), done }, where `done` resolves with the final job (or null after close()).
  watchJob(id, { onEvent, onProgress, onError } = {}) {
    const path = `${jobPath(id)}/events`;
    let source = null;
    // events the current stream has delivered: one that worked and is then refused is renewed
    let received = 0;
    let finished = false;
    let settle;
    const done = new Promise((resolve, reject) => {
      settle = { resolve, reject };
    });
    const end = () => {
      finished = true;
      if (source) source.close();
    };
    const finish = (failure) => {
      if (finished) return;
      end();
      if (failure) settle.reject(failure);
      else this.getJob(id).then(settle.resolve, settle.reject);
    };
    const receive = (message) => {
      received += 1;
      const data = JSON.parse(message.data);
      const event = { type: message.type, id: Number(message.lastEventId), data };
      const progress = progressOf(event);
      if (onEvent) onEvent(event);
      if (progress && onProgress) onProgress(progress);
      // the server closes the stream after this; closing first stops EventSource reconnecting
      if (progress && TERMINAL_STATUSES.has(progress.status)) finish();
    };
    const open = async () => {
      const url = await this.tokenUrl(path);
      if (finished) return;
      const current = new EventSource(url, { withCredentials: this.withCredentials });
      source = current;
      received = 0;
      for (const type of ["snapshot", "status", "progress", "heartbeat"]) {
        current.addEventListener(type, receive);
      }
      current.addEventListener("error", () => failed(current));
    };
    const failed = (current) => {
      if (finished || current !== source) return;
      if (current.readyState === EventSource.CLOSED) {
        // refused: the token expired (renew it), or for good (unknown job, no such stream)
        const worked = received > 0;
        this.getJob(id).then(
          (job) => {
            if (finished) return;
            if (TERMINAL_STATUSES.has(job.status)) {
              end();
              settle.resolve(job);
            } else if (this.apiKey && worked) {
              open().catch(finish);
            } else {
              finish(new VoxhubError(0, "stream_closed", `The event stream of job ${id} closed.`));
            }
          },
          (error) => finish(error),
        );
        return;
      }
      if (onError) onError(new VoxhubError(0, "reconnecting", "Event stream interrupted."));
      // a stream resumed after the job ended closes empty: look the job up instead
      this.getJob(id).then(
        (job) => {
          if (TERMINAL_STATUSES.has(job.status) && !finished) {
            end();
            settle.resolve(job);
          }
        },
        () => {},
      );
    };
    const close = () => {
      if (finished) return;
      end();
      settle.resolve(null);
    };
    open().catch(finish);
    return { close, done };
  }

  async _needsNoToken(error) {
    if (error.status === 404) return true;
    if (error.status !== 401) return false;
    const who = await this._json("GET", "v1/auth/whoami").catch(() => null);
    return who !== null && who.authentication === "off";
  }

  async _json(method, path, body) {
    const response = await this._fetch(method, path, body);
    return response.status === 204 ? null : response.json();
  }

  // `body`: an object sent as JSON, or FormData sent as multipart/form-data
  async _fetch(method, path, body, { signal } = {}) {
    const url = this._url(path);
    const headers = { Accept: "application/json" };
    const form = typeof FormData !== "undefined" && body instanceof FormData;
    if (body !== undefined && !form) headers["Content-Type"] = "application/json";
    // the key goes to the API's own origin only, never to storage or another host
    if (this.apiKey && new URL(url).origin === this.baseUrl.origin) {
      headers.Authorization = `Bearer ${this.apiKey}`;
    }
    const response = await fetch(url, {
      method,
      headers,
      body: body === undefined || form ? body : JSON.stringify(body),
      credentials: this.withCredentials ? "include" : "same-origin",
      signal,
    });
    if (!response.ok) throw await errorOf(response);
    return response;
  }

  _url(path) {
    return new URL(path, this.baseUrl).href;
  }
}

function jobPath(id) {
  return `v1/tts/jobs/${encodeURIComponent(id)}`;
}

function voicePath(id) {
  return `v1/voices/${encodeURIComponent(id)}`;
}

// multipart fields: arrays repeat the field, Blobs are files, empty values are left out
function formOf(fields) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === undefined || item === null || item === "") continue;
      if (item instanceof Blob) form.append(name, item, item.name || `${name}.wav`);
      else form.append(name, String(item));
    }
  }
  return form;
}

// the progress a snapshot, status or progress event reports; null for heartbeats
function progressOf(event) {
  if (event.type === "snapshot") {
    const job = event.data;
    return {
      job_id: job.id,
      status: job.status,
      ...job.progress,
      error: job.error,
      dead_lettered: job.dead_lettered,
    };
  }
  if (event.type === "status" || event.type === "progress") return event.data;
  return null;
}

async function errorOf(response) {
  const retryAfter = response.headers.get("Retry-After");
  let code = "http_error";
  let message = `HTTP ${response.status}`;
  try {
    const body = await response.json();
    code = body.error.code;
    message = body.error.message;
  } catch {
    // not a voxhub error body: keep the status
  }
  return new VoxhubError(response.status, code, message, retryAfter ? Number(retryAfter) : null);
}
