// voxhub.js: a small client of the voxhub HTTP API for browsers (an ES module, no build step).
//
//   import { VoxhubClient } from "/static/voxhub.js";
//   const voxhub = new VoxhubClient();               // same origin; or { baseUrl, apiKey }
//   const job = await voxhub.submitJob({ text, voice: "espeak:en-us", format: "mp3" });
//   const watch = voxhub.watchJob(job.id, { onProgress: (p) => console.log(p.percent) });
//   const done = await watch.done;                    // the final job: check done.status
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
  }

  // POST /v1/tts: the JSON result (srt, words, sentences, audio_url) plus the audio as a Blob.
  async synthesize(request) {
    const speech = await this._json("POST", "v1/tts", request);
    const audio = await this._fetch("GET", speech.audio_url);
    return { ...speech, audio: await audio.blob() };
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

  // Follows a job's events until it ends. EventSource reconnects by itself and resumes with
  // Last-Event-ID, so nothing is missed. EventSource cannot send headers: the API key is not
  // sent on this stream. Returns { close(), done }, where `done` resolves with the final job
  // (or null after close()).
  watchJob(id, { onEvent, onProgress, onError } = {}) {
    const source = new EventSource(this._url(`${jobPath(id)}/events`), {
      withCredentials: this.withCredentials,
    });
    let finished = false;
    let settle;
    const done = new Promise((resolve, reject) => {
      settle = { resolve, reject };
    });
    const finish = (failure) => {
      if (finished) return;
      finished = true;
      source.close();
      if (failure) settle.reject(failure);
      else this.getJob(id).then(settle.resolve, settle.reject);
    };
    const receive = (message) => {
      const data = JSON.parse(message.data);
      const event = { type: message.type, id: Number(message.lastEventId), data };
      const progress = progressOf(event);
      if (onEvent) onEvent(event);
      if (progress && onProgress) onProgress(progress);
      // the server closes the stream after this; closing first stops EventSource reconnecting
      if (progress && TERMINAL_STATUSES.has(progress.status)) finish();
    };
    for (const type of ["snapshot", "status", "progress", "heartbeat"]) {
      source.addEventListener(type, receive);
    }
    source.addEventListener("error", () => {
      if (finished) return;
      if (source.readyState === EventSource.CLOSED) {
        // refused for good (unknown job, not an event stream): say why, as the API would
        this.getJob(id).then(
          () => finish(new VoxhubError(0, "stream_closed", `The event stream of job ${id} closed.`)),
          (error) => finish(error),
        );
        return;
      }
      if (onError) onError(new VoxhubError(0, "reconnecting", "Event stream interrupted."));
      // a stream resumed after the job ended closes empty: look the job up instead
      this.getJob(id).then(
        (job) => {
          if (TERMINAL_STATUSES.has(job.status) && !finished) {
            finished = true;
            source.close();
            settle.resolve(job);
          }
        },
        () => {},
      );
    });
    const close = () => {
      if (finished) return;
      finished = true;
      source.close();
      settle.resolve(null);
    };
    return { close, done };
  }

  async _json(method, path, body) {
    const response = await this._fetch(method, path, body);
    return response.json();
  }

  async _fetch(method, path, body) {
    const url = this._url(path);
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    // the key goes to the API's own origin only, never to storage or another host
    if (this.apiKey && new URL(url).origin === this.baseUrl.origin) {
      headers.Authorization = `Bearer ${this.apiKey}`;
    }
    const response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: this.withCredentials ? "include" : "same-origin",
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
