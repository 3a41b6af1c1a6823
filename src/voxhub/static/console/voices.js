// voices.js: the Voices tab: every voice (engine and registered), its sample, registering a
// cloning template (an uploaded or recorded reference with its transcript) or an engine
// voice under a name of its own, with aliases and default knobs; deleting registered ones.

import { api, onKeyChange } from "/static/console/session.js";
import { describe, notice, showError } from "/static/console/notify.js";
import { t, onLanguageChange } from "/static/console/i18n.js";
import { Microphone, wavBlob } from "/static/console/microphone.js";
import { objectUrl } from "/static/console/files.js";
import { onVoices, reloadVoices, voices } from "/static/console/voice-list.js";

const $ = (id) => document.getElementById(id);
// references must be at least 16 kHz; 24 kHz keeps what cloning engines use
const RECORD_RATE = 24000;

export function setupVoices() {
  const ui = {
    form: $("voice-form"),
    base: $("voice-base"),
    file: $("voice-file"),
    record: $("voice-record"),
    recorded: $("voice-recorded"),
    recording: $("voice-recording"),
    refresh: $("voice-refresh"),
    table: $("voice-table").tBodies[0],
    preview: $("voice-preview"),
    submit: $("voice-submit"),
    cancelEdit: $("voice-cancel-edit"),
    heading: $("voice-form-heading"),
  };
  let frames = [];
  let editing = null; // the registered voice the form changes, or null: the form registers
  let recorded = null; // the recorded reference, a WAV Blob
  let stopping = false;
  const microphone = new Microphone(RECORD_RATE, (pcm, flushed) => {
    if (pcm.byteLength) frames.push(pcm);
    if (flushed && stopping) {
      stopping = false;
      microphone.close();
      recorded = wavBlob(frames, RECORD_RATE);
      const seconds = frames.reduce((sum, frame) => sum + frame.byteLength, 0) / 2 / RECORD_RATE;
      ui.recorded.textContent = t("recordedSeconds", { s: seconds.toFixed(1) });
      ui.recording.src = objectUrl(recorded, "recording");
      ui.recording.hidden = false;
      ui.record.textContent = t("record");
    }
  });

  const fillBase = () => {
    ui.submit.textContent = editing ? t("saveChanges") : t("register");
    ui.cancelEdit.hidden = !editing;
    ui.heading.textContent = editing ? t("editVoice", { name: editing.name }) : t("registerVoice");
    for (const part of [ui.base, ui.file, ui.record]) part.disabled = Boolean(editing);
    const chosen = ui.base.value;
    ui.base.replaceChildren(new Option(t("cloningTemplate"), ""));
    for (const voice of voices().voices) {
      if (voice.kind === "engine") ui.base.add(new Option(voice.id, voice.id));
    }
    if ([...ui.base.options].some((option) => option.value === chosen)) ui.base.value = chosen;
  };

  const cell = (text) => {
    const td = document.createElement("td");
    td.textContent = text;
    return td;
  };

  const fillTable = () => {
    const rows = voices().voices.map((voice) => {
      const tr = document.createElement("tr");
      tr.dataset.id = voice.id;
      const kind =
        voice.kind === "engine" ? t("kindEngine") : voice.cloning ? t("kindTemplate") : t("kindNamed");
      tr.append(
        cell(voice.id),
        cell(voice.name),
        cell(voice.engine),
        cell(voice.languages.join(", ") || voice.language),
        cell(kind),
        cell((voice.aliases || []).join(", ")),
      );
      const actions = document.createElement("td");
      actions.className = "actions";
      const sample = document.createElement("button");
      sample.type = "button";
      sample.textContent = t("sample");
      sample.setAttribute("aria-label", `${t("sample")} ${voice.name}`);
      sample.addEventListener("click", () => playSample(voice));
      actions.append(sample);
      if (voice.kind === "registered") {
        const edit = document.createElement("button");
        edit.type = "button";
        edit.dataset.action = "edit";
        edit.textContent = t("edit");
        edit.setAttribute("aria-label", `${t("edit")} ${voice.name}`);
        edit.addEventListener("click", () => startEditing(voice));
        actions.append(edit);
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "danger";
        remove.textContent = t("delete");
        remove.setAttribute("aria-label", `${t("delete")} ${voice.name}`);
        remove.addEventListener("click", () => removeVoice(voice));
        actions.append(remove);
      }
      tr.append(actions);
      return tr;
    });
    ui.table.replaceChildren(...rows);
  };

  const playSample = async (voice) => {
    try {
      ui.preview.src = await api().tokenUrl(voice.sample_url);
      await ui.preview.play();
    } catch (error) {
      showError(error, t("sampleFailed"));
    }
  };

  const removeVoice = async (voice) => {
    if (!window.confirm(t("confirmDelete", { name: voice.name }))) return;
    try {
      await api().deleteVoice(voice.id);
      notice(t("voiceDeleted", { name: voice.name }));
      await reloadVoices();
    } catch (error) {
      if (error.status === 409) notice(`${t("deleteConflict")} ${describe(error)}`, "error");
      else showError(error, t("deleteFailed"));
    }
  };

  const toggleRecording = async () => {
    if (microphone.isOpen) {
      stopping = true;
      microphone.flush();
      return;
    }
    try {
      frames = [];
      await microphone.open();
      microphone.clear();
      ui.record.textContent = t("stopRecording");
      ui.recorded.textContent = t("recording");
    } catch (error) {
      showError(error, t("microphoneFailed"));
    }
  };

  // the form changes `voice` (PATCH): name, language, aliases, transcript, default knobs
  const startEditing = (voice) => {
    editing = voice;
    const field = (name) => ui.form.elements.namedItem(name);
    field("name").value = voice.name;
    field("language").value = voice.language || "";
    field("aliases").value = (voice.aliases || []).join(", ");
    field("speed").value = voice.defaults && voice.defaults.speed ? voice.defaults.speed : "";
    field("instruction").value = (voice.defaults && voice.defaults.instruction) || "";
    field("transcript").value = voice.transcript || "";
    fillBase();
    ui.form.scrollIntoView({ block: "nearest" });
    field("name").focus();
  };

  const stopEditing = () => {
    editing = null;
    ui.form.reset();
    fillBase();
  };

  const save = async (data) => {
    const changes = {
      name: data.get("name"),
      aliases: String(data.get("aliases") || "")
        .split(",")
        .map((alias) => alias.trim())
        .filter(Boolean),
      defaults: {},
    };
    if (data.get("language")) changes.language = data.get("language");
    if (editing.cloning && data.get("transcript")) changes.transcript = data.get("transcript");
    if (data.get("speed")) changes.defaults.speed = Number(data.get("speed"));
    if (data.get("instruction")) changes.defaults.instruction = data.get("instruction");
    try {
      const voice = await api().updateVoice(editing.id, changes);
      notice(t("voiceSaved", { name: voice.name }));
      stopEditing();
      await reloadVoices();
    } catch (error) {
      showError(error, t("saveFailed"));
    }
  };

  const register = async (event) => {
    event.preventDefault();
    const data = new FormData(ui.form);
    if (editing) {
      await save(data);
      return;
    }
    const fields = {
      name: data.get("name"),
      language: data.get("language"),
      aliases: String(data.get("aliases") || "")
        .split(",")
        .map((alias) => alias.trim())
        .filter(Boolean),
      speed: data.get("speed"),
      instruction: data.get("instruction"),
    };
    const base = data.get("engine_voice");
    if (base) {
      fields.engine_voice = base;
    } else {
      const file = ui.file.files[0];
      fields.audio = file || recorded;
      fields.transcript = data.get("transcript");
      if (!fields.audio) {
        notice(t("needReference"), "error");
        return;
      }
    }
    try {
      const voice = await api().registerVoice(fields);
      notice(t("voiceRegistered", { name: voice.name, id: voice.id }));
      ui.form.reset();
      recorded = null;
      ui.recording.hidden = true;
      ui.recorded.textContent = "";
      await reloadVoices();
    } catch (error) {
      showError(error, t("registerFailed"));
    }
  };

  ui.form.addEventListener("submit", register);
  ui.cancelEdit.addEventListener("click", stopEditing);
  ui.record.addEventListener("click", toggleRecording);
  ui.refresh.addEventListener("click", reloadVoices);
  onVoices(() => {
    fillBase();
    fillTable();
  });
  onLanguageChange(() => {
    fillBase();
    fillTable();
    if (!microphone.isOpen) ui.record.textContent = t("record");
  });
  onKeyChange(reloadVoices);
  fillBase();
}
