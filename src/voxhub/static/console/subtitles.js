// subtitles.js: timed words (or sentences) as text, the one being spoken highlighted, and
// SubRip/WebVTT made from timed cues.

// the unit at `seconds`: the last one that started by then (-1 before the first)
export function unitAt(units, seconds) {
  let low = 0;
  let high = units.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (units[middle].start <= seconds) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}

const LATIN = /[\p{Script=Latin}\p{Number}'’)\]".,!?;:]$/u;
const LATIN_START = /^[\p{Script=Latin}\p{Number}'‘(\["]/u;

export class Subtitles {
  constructor(element) {
    this.element = element;
    this.units = [];
    this.spans = [];
    this.current = -1;
  }

  // words [{text, start, end}]; sentences when the engine gave no word timings
  set(units) {
    this.units = units || [];
    this.current = -1;
    this.spans = [];
    this.element.replaceChildren();
    this.units.forEach((unit, index) => {
      const previous = this.units[index - 1];
      // Latin words are spaced; Chinese characters and punctuation are not
      if (previous && LATIN.test(previous.text) && LATIN_START.test(unit.text)) {
        this.element.append(" ");
      }
      const span = document.createElement("span");
      span.className = "unit";
      span.dataset.index = String(index);
      span.textContent = unit.text;
      this.element.append(span);
      this.spans.push(span);
    });
  }

  at(seconds) {
    const index = unitAt(this.units, seconds);
    if (index === this.current) return;
    if (this.current >= 0) {
      this.spans[this.current].classList.remove("current");
      this.spans[this.current].removeAttribute("aria-current");
    }
    this.current = index;
    if (index >= 0) {
      const span = this.spans[index];
      span.classList.add("current");
      span.setAttribute("aria-current", "true");
      if (this.element.scrollHeight > this.element.clientHeight) {
        span.scrollIntoView({ block: "nearest" });
      }
    }
    this.element.dataset.current = String(index);
  }
}

// [{start, end, text}] as SubRip or WebVTT
export function toSrt(cues) {
  return cues
    .map((cue, i) => `${i + 1}\n${stamp(cue.start, ",")} --> ${stamp(cue.end, ",")}\n${cue.text.trim()}\n`)
    .join("\n");
}

export function toVtt(cues) {
  const body = cues.map((cue) => `${stamp(cue.start, ".")} --> ${stamp(cue.end, ".")}\n${cue.text.trim()}\n`);
  return ["WEBVTT\n", ...body].join("\n");
}

function stamp(seconds, separator) {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const pad = (value, size = 2) => String(value).padStart(size, "0");
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return `${pad(h)}:${pad(m)}:${pad(s)}${separator}${pad(ms % 1000, 3)}`;
}
