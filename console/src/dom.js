// A tiny element builder: h('button', {onclick, class: 'x'}, 'text', child, ...). No framework, no build step.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'value') el.value = value;
    else if (name === 'checked') el.checked = !!value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let ids = 0;
/** A labelled input with a place for its field error; `field` is the API's JSON path of the value. */
export function field(label, input, { field: path, hint } = {}) {
  const id = input.id || `f${++ids}`;
  input.id = id;
  if (path) input.dataset.field = path;
  const error = h('span', { class: 'field-error', role: 'alert', 'data-error-for': path ?? '' });
  if (path) input.setAttribute('aria-describedby', `${id}-error`);
  error.id = `${id}-error`;
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, hint ? h('small', { class: 'hint' }, hint) : null, error);
}

/** "a=b" lines (or comma-separated) into an object: tags, labels. */
export function parsePairs(text) {
  const pairs = {};
  for (const item of text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean)) {
    const at = item.indexOf('=');
    pairs[(at < 0 ? item : item.slice(0, at)).trim()] = at < 0 ? '' : item.slice(at + 1).trim();
  }
  return pairs;
}

/** An object as "a=b" lines, for a textarea parsePairs reads back. */
export const pairLines = (pairs) => Object.entries(pairs ?? {}).map(([k, v]) => `${k}=${v}`).join('\n');

/** A count or a percent as the API takes it (IntOrPercent): "2" is 2, "25%" stays a string; empty is undefined. */
export function intOrPercent(text) {
  const t = String(text ?? '').trim();
  if (!t) return undefined;
  return /^\d+$/.test(t) ? Number(t) : t;
}

export const money = (usd) => (usd === null || usd === undefined ? '—' : `$${Number(usd).toFixed(4)}/h`);

export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}
