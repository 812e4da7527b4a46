// Inputs filled from the cloud account (key pairs, zones, instance types, VPCs, subnets). Each asks
// its read-only route; when the route answers 404 (not deployed yet) or fails, the input stays free text.
import { h, replace } from './dom.js';

/** One value: a <select> when options are known, else a text input. `.value` reads whichever is shown. */
export function singleChoice({ name, placeholder }) {
  const text = h('input', { name, placeholder, autocomplete: 'off' });
  const holder = h('span', { class: 'choice' }, text);
  let select = null;
  const control = {
    element: holder,
    input: text,
    get value() { return (select ?? text).value.trim(); },
    set value(v) { text.value = v ?? ''; if (select) select.value = v ?? ''; },
    /** options: [{value, label}] or null for free text. Keeps what was typed or chosen. */
    setOptions(options, onchange) {
      const current = control.value;
      if (!options) {
        select = null;
        text.value = current;
        replace(holder, text);
        return;
      }
      select = h('select', { name, onchange }, h('option', { value: '' }, '— choose —'),
        options.map((o) => h('option', { value: o.value }, o.label)));
      if (current && !options.some((o) => o.value === current)) select.append(h('option', { value: current }, current));
      select.value = current;
      select.id = text.id;
      for (const attr of ['data-field', 'aria-describedby']) if (text.hasAttribute(attr)) select.setAttribute(attr, text.getAttribute(attr));
      replace(holder, select);
    },
  };
  return control;
}

/** Several values: checkboxes when options are known, else a comma-separated text input. */
export function multiChoice({ name, placeholder }) {
  const text = h('input', { name, placeholder, autocomplete: 'off' });
  const holder = h('span', { class: 'choice multi' }, text);
  let boxes = null;
  const control = {
    element: holder,
    input: text,
    get value() {
      return boxes ? boxes.filter((b) => b.checked).map((b) => b.value) : text.value.split(',').map((s) => s.trim()).filter(Boolean);
    },
    set value(values) {
      text.value = (values ?? []).join(', ');
      if (boxes) for (const b of boxes) b.checked = (values ?? []).includes(b.value);
    },
    setOptions(options, onchange) {
      const current = control.value;
      if (!options) {
        boxes = null;
        text.value = current.join(', ');
        replace(holder, text);
        return;
      }
      boxes = options.map((o) => h('input', { type: 'checkbox', name, value: o.value, checked: current.includes(o.value), onchange }));
      const group = h('span', { role: 'group', class: 'checks', 'aria-describedby': text.getAttribute('aria-describedby') },
        options.map((o, i) => h('label', { class: 'inline' }, boxes[i], ` ${o.label}`)));
      if (text.dataset.field) group.dataset.field = text.dataset.field;
      replace(holder, group);
    },
  };
  return control;
}

/** Asks a dropdown route; null (free text) when it answers 404 or fails. */
export async function optionsFrom(call, toOption) {
  try {
    const answer = await call();
    return (answer?.items ?? []).map(toOption);
  } catch {
    return null;
  }
}
