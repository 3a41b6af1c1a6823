// i18n.js: the console's language (zh or en): the browser's by default, switchable, kept.
//
// Static text carries data-i18n (textContent), data-i18n-placeholder, data-i18n-title and
// data-i18n-aria-label attributes naming a key of the string tables; scripts call t(key).

import { STRINGS as EN } from "/static/console/strings-en.js";
import { STRINGS as ZH } from "/static/console/strings-zh.js";

const TABLES = { en: EN, zh: ZH };
const STORAGE = "voxhub.console.language";
const listeners = [];
let current = initial();

function initial() {
  const kept = localStorage.getItem(STORAGE);
  if (kept && TABLES[kept]) return kept;
  const wanted = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || "en"];
  for (const tag of wanted) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (TABLES[base]) return base;
  }
  return "en";
}

export function language() {
  return current;
}

// `key`'s text in the current language (English when the table lacks it), with {name}
// placeholders filled from `vars`
export function t(key, vars = {}) {
  const text = TABLES[current][key] ?? EN[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

export function setLanguage(lang) {
  if (!TABLES[lang] || lang === current) return;
  current = lang;
  localStorage.setItem(STORAGE, lang);
  translate();
  for (const listener of listeners) listener(lang);
}

// called again after every switch (for text that scripts wrote)
export function onLanguageChange(listener) {
  listeners.push(listener);
}

export function translate(root = document) {
  document.documentElement.lang = current === "zh" ? "zh-CN" : "en";
  document.title = t("title");
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const [attribute, data] of [
    ["placeholder", "i18nPlaceholder"],
    ["title", "i18nTitle"],
    ["aria-label", "i18nAriaLabel"],
  ]) {
    for (const node of root.querySelectorAll(`[data-${attribute === "aria-label" ? "i18n-aria-label" : `i18n-${attribute}`}]`)) {
      node.setAttribute(attribute, t(node.dataset[data]));
    }
  }
}
