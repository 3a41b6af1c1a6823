// session.js: the API key the user typed (kept in this browser's localStorage, sent only as a
// header to this server's API, exchanged for short-lived tokens for links and streams) and
// the voxhub.js client that uses it.

import { VoxhubClient } from "/static/voxhub.js";

const STORAGE = "voxhub.console.apiKey";
const listeners = [];
let client = new VoxhubClient({ apiKey: localStorage.getItem(STORAGE) || null });

export function api() {
  return client;
}

export function apiKey() {
  return client.apiKey || "";
}

export function setApiKey(key) {
  const trimmed = (key || "").trim();
  if (trimmed === apiKey()) return;
  if (trimmed) localStorage.setItem(STORAGE, trimmed);
  else localStorage.removeItem(STORAGE);
  client = new VoxhubClient({ apiKey: trimmed || null });
  for (const listener of listeners) listener(client);
}

// every tab reloads what it shows with the new key
export function onKeyChange(listener) {
  listeners.push(listener);
}
