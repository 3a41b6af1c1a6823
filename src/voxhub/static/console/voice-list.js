// voice-list.js: the server's voices (GET /v1/voices), fetched once per change and shared by
// every picker and the Voices table.

import { api } from "/static/console/session.js";
import { showError } from "/static/console/notify.js";
import { t } from "/static/console/i18n.js";

const listeners = [];
let latest = { voices: [], defaults: {} };

export function voices() {
  return latest;
}

export function onVoices(listener) {
  listeners.push(listener);
}

export async function reloadVoices() {
  try {
    latest = await api().listVoices();
  } catch (error) {
    latest = { voices: [], defaults: {} };
    showError(error, t("voicesLoadFailed"));
  }
  for (const listener of listeners) listener(latest);
  return latest;
}

// A <select> of voices: the language's default first, then engine voices grouped by engine
// and language, then registered voices; the chosen one is kept when it is still there.
export function fillVoicePicker(select, list = latest) {
  const chosen = select.value;
  select.replaceChildren(new Option(t("voiceDefault"), ""));
  const groups = new Map();
  for (const voice of list.voices) {
    const label =
      voice.kind === "registered"
        ? t("registeredVoices")
        : `${voice.engine} · ${voice.languages.join("/") || voice.language}`;
    if (!groups.has(label)) {
      const group = document.createElement("optgroup");
      group.label = label;
      groups.set(label, group);
    }
    const text = voice.kind === "registered" ? `${voice.name} (${voice.id})` : voice.id;
    const option = new Option(text, voice.id);
    option.dataset.sample = voice.sample_url || "";
    groups.get(label).append(option);
  }
  select.append(...groups.values());
  if ([...select.options].some((option) => option.value === chosen)) select.value = chosen;
}

export function fillLanguagePicker(select) {
  const chosen = select.value;
  select.replaceChildren(
    new Option(t("langAuto"), ""),
    new Option("中文 (zh)", "zh"),
    new Option("English (en)", "en"),
  );
  select.value = chosen;
}

export const FORMATS = ["wav", "mp3", "opus", "aac", "flac"];

export function fillFormatPicker(select) {
  const chosen = select.value || "wav";
  select.replaceChildren(...FORMATS.map((name) => new Option(name, name)));
  select.value = chosen;
}
