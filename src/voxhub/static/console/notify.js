// notify.js: errors of the API shown as messages a user can act on, and short notices.

import { t } from "/static/console/i18n.js";

const MAX_NOTICES = 5;

// The sentence for an error: the server's own message, after what to do about its status.
export function describe(error) {
  const message = error && error.message ? error.message : String(error);
  if (!error || error.status === undefined) {
    return error instanceof TypeError ? t("errNetwork") : message;
  }
  switch (error.status) {
    case 0:
      return `${t("errStream")} ${message}`;
    case 401:
      // the server's advice is about headers: the console sends them once a key is typed
      return t("err401");
    case 403:
      return `${t("err403")} (${message})`;
    case 409:
      return `${t("err409")} ${message}`;
    case 413:
      return `${t("err413")} ${message}`;
    case 429:
      return error.retryAfter !== null && error.retryAfter !== undefined
        ? `${t("err429Retry", { seconds: Math.ceil(error.retryAfter) })} ${message}`
        : `${t("err429")} ${message}`;
    case 408:
      return `${t("err408")} ${message}`;
    case 503:
      return `${t("err503")} ${message}`;
    default:
      return message;
  }
}

// An error in the notice area (and the returned text, for an inline place too).
export function showError(error, context) {
  const text = context ? `${context}: ${describe(error)}` : describe(error);
  notice(text, "error");
  return text;
}

// notices about the previous key mean nothing once another is typed
export function clearNotices() {
  document.getElementById("notices").replaceChildren();
}

export function notice(text, kind = "info") {
  const area = document.getElementById("notices");
  const line = document.createElement("div");
  line.className = `notice ${kind}`;
  const words = document.createElement("span");
  words.textContent = text;
  const close = document.createElement("button");
  close.type = "button";
  close.className = "close";
  close.textContent = "×";
  close.setAttribute("aria-label", t("dismiss"));
  close.addEventListener("click", () => line.remove());
  line.append(words, close);
  area.prepend(line);
  while (area.children.length > MAX_NOTICES) area.lastChild.remove();
  if (kind !== "error") setTimeout(() => line.remove(), 6000);
}
