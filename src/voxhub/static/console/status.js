// status.js: the Status tab, refreshed every 2 s while it is shown: GET /health (engines,
// database, broker, storage) and GET /v1/stats (admission classes, jobs, queued chunks,
// workers, real-time recognition connections).

import { api } from "/static/console/session.js";
import { describe } from "/static/console/notify.js";
import { language, t, onLanguageChange } from "/static/console/i18n.js";

const $ = (id) => document.getElementById(id);
const EVERY_MS = 2000;

export function setupStatus() {
  const ui = {
    overall: $("status-overall"),
    updated: $("status-updated"),
    deps: $("status-deps").tBodies[0],
    admission: $("status-admission").tBodies[0],
    figures: $("status-figures"),
  };
  let timer = null;
  let last = { health: null, stats: null, statsError: null };

  const row = (...cells) => {
    const tr = document.createElement("tr");
    for (const [text, kind] of cells) {
      const td = document.createElement("td");
      td.textContent = text;
      if (kind) td.className = kind;
      tr.append(td);
    }
    return tr;
  };

  const ok = (good) => [good ? t("ok") : t("down"), good ? "good" : "bad"];

  const render = () => {
    const { health, stats, statsError } = last;
    if (health) {
      const healthy = health.httpStatus === 200;
      ui.overall.dataset.state = healthy ? "ready" : "error";
      const problems = health.problems.length ? ` — ${health.problems.join("; ")}` : "";
      ui.overall.textContent = `${healthy ? t("healthy") : t("degraded")} · voxhub ${health.version} · ${t("defaultEngine")} ${health.default_engine}${problems}`;
      const rows = [];
      for (const [name, engine] of Object.entries(health.engines)) {
        const rate = engine.sample_rate ? `${engine.sample_rate} Hz` : "";
        rows.push(row([`${t("engine")} ${name}`], [engine.model_loaded ? t("loaded") : t("notLoaded"), engine.model_loaded ? "good" : "idle"], [rate]));
      }
      for (const [name, dependency] of Object.entries(health.dependencies)) {
        rows.push(row([t(`dep_${name}`)], ok(dependency.ok), [`${dependency.latency_ms.toFixed(1)} ms${dependency.error ? ` · ${dependency.error}` : ""}`]));
      }
      ui.deps.replaceChildren(...rows);
    }
    if (stats) {
      ui.admission.replaceChildren(
        ...Object.entries(stats.admission).map(([name, figures]) =>
          row([t(`class_${name}`)], [String(figures.active)], [String(figures.limit)], [`${figures.queued} / ${figures.queue_limit}`], [String(figures.rejected)], [String(figures.timed_out)]),
        ),
      );
      const byStatus = stats.jobs.by_status || {};
      const asr = stats.asr || {};
      const figures = [
        [t("jobsQueued"), byStatus.queued || 0],
        [t("jobsRunning"), (byStatus.running || 0) + (byStatus.retrying || 0)],
        [t("jobsSucceeded"), byStatus.succeeded || 0],
        [t("jobsFailed"), byStatus.failed || 0],
        [t("chunksQueued"), stats.jobs.chunks_queued ?? "–"],
        [t("workers"), stats.config.jobs.workers ?? "–"],
        [t("asrConnections"), `${asr.active_connections ?? 0} / ${asr.max_connections ?? "–"}`],
        [t("asrSessions"), asr.sessions_served ?? 0],
        [t("asrRtf"), asr.real_time_factor ?? "–"],
      ];
      ui.figures.replaceChildren(
        ...figures.map(([name, value]) => {
          const item = document.createElement("div");
          const dt = document.createElement("dt");
          dt.textContent = name;
          const dd = document.createElement("dd");
          dd.textContent = String(value);
          item.append(dt, dd);
          return item;
        }),
      );
    } else if (statsError) {
      ui.admission.replaceChildren(row([describe(statsError)]));
      ui.figures.replaceChildren();
    }
  };

  const refresh = async () => {
    const [health, stats] = await Promise.allSettled([api().health(), api().stats()]);
    last = {
      health: health.status === "fulfilled" ? health.value : null,
      stats: stats.status === "fulfilled" ? stats.value : null,
      statsError: stats.status === "rejected" ? stats.reason : null,
    };
    if (health.status === "rejected") {
      ui.overall.dataset.state = "error";
      ui.overall.textContent = describe(health.reason);
    }
    ui.updated.textContent = t("updatedAt", { time: new Date().toLocaleTimeString(language() === "zh" ? "zh-CN" : "en") });
    render();
  };

  const tick = async () => {
    timer = null;
    if (document.visibilityState === "visible") await refresh().catch(() => {});
    if (running) timer = setTimeout(tick, EVERY_MS);
  };
  let running = false;
  onLanguageChange(render);
  return {
    show() {
      if (running) return;
      running = true;
      tick();
    },
    hide() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
