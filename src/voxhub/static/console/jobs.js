// jobs.js: the Jobs tab. Long text is submitted to POST /v1/tts/jobs; the list follows
// GET /v1/events (every job of the key's tenant, from any tab or client) and shows each
// job's progress bar, cancel/retry, and its result played with waveform and subtitles.

import { textLimit } from "/static/console/openapi.js";
import { api, onKeyChange } from "/static/console/session.js";
import { showError, notice } from "/static/console/notify.js";
import { t, onLanguageChange } from "/static/console/i18n.js";
import { MediaView } from "/static/console/media-view.js";
import { objectUrl, readText, saveFrom } from "/static/console/files.js";
import { TERMINAL_STATUSES } from "/static/voxhub.js";
import {
  fillFormatPicker,
  fillLanguagePicker,
  fillVoicePicker,
  onVoices,
} from "/static/console/voice-list.js";

const $ = (id) => document.getElementById(id);
const FALLBACK_LIMIT = 50000;
// longer results play without a waveform: decoding hours of audio in a tab costs too much
const WAVEFORM_SECONDS = 900;
const ACTIVE = new Set(["queued", "running", "retrying"]);

export function setupJobs() {
  const ui = {
    text: $("job-text"),
    file: $("job-file"),
    count: $("job-count"),
    voice: $("job-voice"),
    language: $("job-language"),
    speed: $("job-speed"),
    format: $("job-format"),
    submit: $("job-submit"),
    filter: $("job-filter"),
    refresh: $("job-refresh"),
    list: $("job-list"),
    empty: $("job-empty"),
    result: $("job-result"),
    resultTitle: $("job-result-title"),
  };
  const view = new MediaView($("job-media"), "job");
  const rows = new Map(); // id -> { job, item }
  let limit = FALLBACK_LIMIT;
  let events = null;
  // the list's own refusal (no key, a limit) was shown: the event stream's is the same
  let listRefused = false;

  const count = () => {
    const used = [...ui.text.value].length;
    ui.count.textContent = t("charCount", { used: used.toLocaleString(), limit: limit.toLocaleString() });
    ui.count.classList.toggle("over", used > limit);
  };

  const wanted = (job) => !ui.filter.value || job.status === ui.filter.value;

  const upsert = (job, { top = false } = {}) => {
    let row = rows.get(job.id);
    if (!wanted(job)) {
      if (row) {
        row.item.remove();
        rows.delete(job.id);
      }
      updateEmpty();
      return;
    }
    if (!row) {
      row = { job, item: document.createElement("li") };
      row.item.className = "job";
      row.item.dataset.id = job.id;
      rows.set(job.id, row);
      if (top) ui.list.prepend(row.item);
      else ui.list.append(row.item);
    }
    row.job = job;
    render(row);
    updateEmpty();
  };

  const updateEmpty = () => {
    ui.empty.hidden = rows.size > 0;
  };

  const render = (row) => {
    const { job, item } = row;
    item.dataset.status = job.status;
    const progress = job.progress || { percent: 0, chunks_done: 0, chunks_total: 0 };
    const head = document.createElement("div");
    head.className = "row between";
    const title = document.createElement("span");
    title.className = "job-title";
    title.textContent = `${job.id.slice(0, 8)} · ${job.characters.toLocaleString()} ${t("chars")} · ${job.voice}`;
    const badge = document.createElement("span");
    badge.className = `badge ${job.status}`;
    badge.textContent = t(`st_${job.status}`);
    head.append(title, badge);
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = progress.percent;
    bar.setAttribute("aria-label", t("progressOf", { id: job.id.slice(0, 8) }));
    const line = document.createElement("div");
    line.className = "job-progress hint";
    const parts = [`${progress.percent.toFixed(1)} %`, t("chunksDone", { done: progress.chunks_done, total: progress.chunks_total })];
    if (ACTIVE.has(job.status) && progress.eta_seconds !== null && progress.eta_seconds !== undefined) {
      parts.push(t("eta", { time: formatSeconds(progress.eta_seconds) }));
    }
    if (job.duration) parts.push(`${job.duration.toFixed(1)} s`);
    line.textContent = parts.join(" · ");
    const actions = document.createElement("div");
    actions.className = "row";
    const button = (key, action) => {
      const b = document.createElement("button");
      b.type = "button";
      b.dataset.action = key;
      b.textContent = t(key);
      b.addEventListener("click", () => action().catch((error) => showError(error, t(key))));
      actions.append(b);
    };
    if (ACTIVE.has(job.status)) button("cancel", async () => upsert(await api().cancelJob(job.id)));
    if (job.status === "failed" || job.status === "cancelled") {
      button("retry", async () => upsert(await api().retryJob(job.id)));
    }
    if (job.status === "succeeded") {
      button("play", () => play(job));
      const base = `voxhub-${job.id}`;
      button("downloadAudio", () => saveFrom(job.urls.audio, `${base}.${job.format}`));
      button("downloadSrt", () => saveFrom(job.urls.srt, `${base}.srt`));
      button("downloadVtt", () => saveFrom(job.urls.vtt, `${base}.vtt`));
      button("downloadJson", () => saveFrom(job.urls.timings, `${base}.timings.json`));
    }
    const children = [head, bar, line];
    if (job.error) {
      const error = document.createElement("div");
      error.className = "job-error";
      error.textContent = job.error;
      children.push(error);
    }
    children.push(actions);
    item.replaceChildren(...children);
  };

  const play = async (job) => {
    ui.result.hidden = false;
    ui.resultTitle.textContent = t("resultOf", { id: job.id.slice(0, 8) });
    const timings = await (await api().get(job.urls.timings)).json();
    const words = timings.sentences.flatMap((sentence) => sentence.words);
    let audio;
    let bytes = null;
    if ((job.duration || timings.duration) <= WAVEFORM_SECONDS) {
      const blob = await (await api().get(job.urls.audio)).blob();
      bytes = await blob.arrayBuffer();
      audio = objectUrl(blob, "job");
    } else {
      audio = await api().tokenUrl(job.urls.audio);
    }
    const base = `voxhub-${job.id}`;
    await view.show({
      audio,
      bytes,
      units: words.length ? words : timings.sentences,
      duration: timings.duration,
      downloads: [
        { kind: job.format, save: () => saveFrom(job.urls.audio, `${base}.${job.format}`) },
        { kind: "srt", save: () => saveFrom(job.urls.srt, `${base}.srt`) },
        { kind: "vtt", save: () => saveFrom(job.urls.vtt, `${base}.vtt`) },
        { kind: "json", save: () => saveFrom(job.urls.timings, `${base}.timings.json`) },
      ],
    });
    ui.result.scrollIntoView({ block: "nearest" });
    await view.audio.play().catch(() => {});
  };

  const reload = async () => {
    try {
      const found = await api().listJobs({ status: ui.filter.value || undefined, limit: 50 });
      rows.clear();
      ui.list.replaceChildren();
      for (const job of found.jobs) upsert(job);
      updateEmpty();
      listRefused = false;
    } catch (error) {
      listRefused = true;
      showError(error, t("jobsLoadFailed"));
    }
  };

  // a job the list lacks, or one that has just ended, is read whole
  const refreshJob = async (id) => {
    try {
      upsert(await api().getJob(id), { top: !rows.has(id) });
    } catch (error) {
      if (error.status !== 404) showError(error, t("jobsLoadFailed"));
    }
  };

  const onEvent = (event) => {
    if (event.type === "snapshot") {
      for (const job of event.data.jobs || []) upsert(job, { top: !rows.has(job.id) });
      return;
    }
    if (event.type !== "status" && event.type !== "progress") return;
    const data = event.data;
    // a job the filter hides is looked up only when it ends (it may have to leave the list)
    if (ui.filter.value && data.status !== ui.filter.value && !rows.has(data.job_id)) return;
    const row = rows.get(data.job_id);
    if (!row || TERMINAL_STATUSES.has(data.status) || data.status !== row.job.status) {
      refreshJob(data.job_id);
      return;
    }
    const { chunks_done, chunks_total, percent, eta_seconds } = data;
    upsert({ ...row.job, progress: { chunks_done, chunks_total, percent, eta_seconds } });
  };

  const follow = () => {
    if (events) events.close();
    events = api().watchEvents({
      onEvent,
      onError: (error) => {
        if (!listRefused) showError(error, t("eventsFailed"));
      },
    });
  };

  const submit = async () => {
    const body = { text: ui.text.value, speed: Number(ui.speed.value) || 1, format: ui.format.value };
    if (ui.voice.value) body.voice = ui.voice.value;
    if (ui.language.value) body.language = ui.language.value;
    ui.submit.disabled = true;
    try {
      const job = await api().submitJob(body);
      upsert(job, { top: true });
      notice(t("jobSubmitted", { id: job.id.slice(0, 8), chunks: job.progress.chunks_total }));
    } catch (error) {
      showError(error, t("submitFailed"));
    } finally {
      ui.submit.disabled = false;
    }
  };

  ui.text.addEventListener("input", count);
  ui.file.addEventListener("change", async () => {
    const file = ui.file.files[0];
    if (!file) return;
    ui.text.value = await readText(file);
    count();
  });
  ui.submit.addEventListener("click", submit);
  ui.filter.addEventListener("change", reload);
  ui.refresh.addEventListener("click", reload);
  onVoices((list) => fillVoicePicker(ui.voice, list));
  onKeyChange(() => {
    reload();
    follow();
  });
  onLanguageChange(() => {
    fillVoicePicker(ui.voice);
    fillLanguagePicker(ui.language);
    count();
    for (const row of rows.values()) render(row);
  });
  fillLanguagePicker(ui.language);
  fillFormatPicker(ui.format);
  count();
  textLimit("JobRequest", FALLBACK_LIMIT).then((found) => {
    limit = found;
    count();
  });
  return {
    start() {
      reload();
      follow();
    },
  };
}

function formatSeconds(seconds) {
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return t("seconds", { s: whole });
  return t("minutesSeconds", { m: Math.floor(whole / 60), s: whole % 60 });
}
