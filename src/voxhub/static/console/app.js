// app.js: the console's entry point: the key field, the language switch, the tabs (arrow
// keys move between them; the URL's #fragment names the open one) and the tabs' modules.

import { apiKey, onKeyChange, setApiKey } from "/static/console/session.js";
import { clearNotices } from "/static/console/notify.js";
import { language, setLanguage, translate } from "/static/console/i18n.js";
import { reloadVoices } from "/static/console/voice-list.js";
import { setupSpeak } from "/static/console/speak.js";
import { setupJobs } from "/static/console/jobs.js";
import { setupVoices } from "/static/console/voices.js";
import { setupListen } from "/static/console/listen.js";
import { setupStatus } from "/static/console/status.js";

const TABS = ["speak", "jobs", "voices", "listen", "status"];

translate();
const keyField = document.getElementById("api-key");
keyField.value = apiKey();
keyField.addEventListener("change", () => setApiKey(keyField.value));
document.getElementById("forget-key").addEventListener("click", () => {
  keyField.value = "";
  setApiKey("");
});
const languageSwitch = document.getElementById("ui-language");
languageSwitch.value = language();
languageSwitch.addEventListener("change", () => setLanguage(languageSwitch.value));

// first, so the tabs' refusals under the new key are not cleared with the old ones
onKeyChange(clearNotices);
setupSpeak();
const jobs = setupJobs();
setupVoices();
const listen = setupListen();
const status = setupStatus();

function choose(name, focus = false) {
  const chosen = TABS.includes(name) ? name : "speak";
  for (const tab of TABS) {
    const button = document.getElementById(`tab-${tab}`);
    const selected = tab === chosen;
    button.setAttribute("aria-selected", String(selected));
    button.tabIndex = selected ? 0 : -1;
    document.getElementById(`panel-${tab}`).hidden = !selected;
    if (selected && focus) button.focus();
  }
  if (chosen === "status") status.show();
  else status.hide();
  if (location.hash !== `#${chosen}`) history.replaceState(null, "", `#${chosen}`);
}

const tablist = document.querySelector("[role=tablist]");
tablist.addEventListener("click", (event) => {
  const button = event.target.closest("[data-tab]");
  if (button) choose(button.dataset.tab);
});
tablist.addEventListener("keydown", (event) => {
  const index = TABS.indexOf(document.activeElement.dataset.tab);
  const moves = { ArrowRight: 1, ArrowLeft: -1, Home: -index, End: TABS.length - 1 - index };
  if (index < 0 || !(event.key in moves)) return;
  event.preventDefault();
  choose(TABS[(index + moves[event.key] + TABS.length) % TABS.length], true);
});
window.addEventListener("hashchange", () => choose(location.hash.slice(1)));

choose(location.hash.slice(1));
reloadVoices();
jobs.start();
listen.start();
