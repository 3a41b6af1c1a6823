// files.js: downloads: text made in the page, and files of the API fetched with the key.

import { api } from "/static/console/session.js";

const made = [];

export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // the browser has taken the file once the click is handled
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// a link of the API (a job's audio or subtitles): fetched with the key's header, then saved
export async function saveFrom(path, name) {
  const response = await api().get(path);
  saveBlob(await response.blob(), name);
}

// An object URL that lives until the next call with the same `slot` (players reuse theirs).
export function objectUrl(blob, slot) {
  const kept = made.find((entry) => entry.slot === slot);
  if (kept) URL.revokeObjectURL(kept.url);
  const url = URL.createObjectURL(blob);
  if (kept) kept.url = url;
  else made.push({ slot, url });
  return url;
}

export function readText(file) {
  return file.text();
}
