import { h, replace, money } from '../dom.js';
import { api } from '../api.js';
import { permissions } from '../auth.js';
import { currentConfig } from '../config.js';
import { hourlyCost, nodeCount } from '../cost.js';

export function clustersPage() {
  const includeDeleted = h('input', { type: 'checkbox', id: 'show-deleted', onchange: () => load() });
  const body = h('tbody');
  const status = h('p', { class: 'error', role: 'alert' });
  let timer = null;

  async function load() {
    try {
      const list = await api.listClusters(includeDeleted.checked);
      const shown = list.items.filter((c) => includeDeleted.checked || c.status !== 'Deleted');
      replace(body, shown.length === 0
        ? h('tr', {}, h('td', { colspan: 6 }, 'No clusters yet.'))
        : shown.map((c) => {
          const cost = h('td', { class: 'num' }, '…');
          hourlyCost(c).then((usd) => { cost.textContent = money(usd); });
          return h('tr', { 'data-cluster': c.name },
            h('td', {}, h('a', { href: `#/clusters/${encodeURIComponent(c.name)}` }, c.name)),
            h('td', {}, h('span', { class: `status status-${c.status}` }, c.status)),
            h('td', {}, c.cloud?.region ?? ''),
            h('td', { class: 'num' }, nodeCount(c)),
            cost,
            h('td', {}, c.cloudAccount ?? ''));
        }));
      status.textContent = '';
    } catch (err) {
      status.textContent = err.message;
    }
  }

  load();
  timer = setInterval(load, Math.max(currentConfig().pollMilliseconds, 1000) * 2);
  const element = h('section', {},
    h('div', { class: 'bar' },
      h('h1', {}, 'Clusters'),
      permissions().write ? h('a', { class: 'button primary', href: '#/clusters/new' }, 'Add New Cluster') : null),
    h('label', { class: 'inline', for: 'show-deleted' }, includeDeleted, ' Deleted (show clusters deleted in the last 72 hours)'),
    status,
    h('div', { class: 'scroll' }, h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, ['Name', 'Status', 'Region', 'Nodes', 'Hourly cost', 'Cloud account'].map((t) => h('th', { scope: 'col' }, t)))),
      body)));
  return { title: 'Clusters', element, leave: () => clearInterval(timer) };
}
