// The details page's Security scans section (settings.securityScans): each CIS benchmark run (kube-bench on each
// node role) with its pass, fail and warn counts and the failed checks, and "Scan now" for editors.
import { h, replace, when } from './dom.js';
import { api } from './api.js';

/** name: the cluster; canWrite: the caller may start scans. */
export function scansPanel(name, canWrite) {
  const rows = h('tbody', {});
  const message = h('p', { class: 'hint', role: 'status' });

  async function refresh() {
    try {
      const list = await api.scans(name);
      replace(rows, list.items.length === 0 ? h('tr', {}, h('td', { colspan: 7 }, 'No scans.'))
        : list.items.map((s) => h('tr', { 'data-scan': s.name },
          h('td', { class: 'mono' }, s.name), h('td', {}, s.phase), h('td', {}, String(s.pass)), h('td', {}, String(s.fail)), h('td', {}, String(s.warn)),
          h('td', {}, s.failed.length === 0 ? '—' : h('ul', {}, s.failed.map((f) => h('li', {}, `${f.id} ${f.title} (${f.nodeRole})`)))),
          h('td', {}, s.completedAt ? when(s.completedAt) : '—'))));
    } catch (err) {
      replace(rows, h('tr', {}, h('td', { colspan: 7 }, `Could not list the scans: ${err.message}`)));
    }
  }

  async function start() {
    try {
      const started = await api.createScan(name);
      message.textContent = `Scan ${started.name} started: it is listed here once kube-bench has run on each node role (see the events).`;
    } catch (err) {
      message.textContent = `Scan: ${err.message}`;
    }
  }

  const element = h('div', { 'data-section': 'scans' },
    h('div', { class: 'toolbar' }, canWrite ? h('button', { type: 'button', 'data-action': 'scan-now', onclick: start }, 'Scan now') : null,
      h('button', { type: 'button', onclick: refresh }, 'Refresh')),
    message,
    h('div', { class: 'scroll' }, h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, ['Scan', 'Phase', 'Pass', 'Fail', 'Warn', 'Failed checks', 'Completed'].map((t) => h('th', { scope: 'col' }, t)))), rows)));
  return { element, refresh };
}
