// #/profiles: every cluster profile, one row per version (name, version, Kubernetes, packs), and a form that
// adds a profile or a new version of one (the same name with a new version; the same version again is refused).
import { h, replace, field, when } from '../dom.js';
import { api, showFieldErrors, clearFieldErrors } from '../api.js';
import { permissions } from '../auth.js';

export const kubernetesOf = (profile) => (profile.packs ?? []).find((p) => p.layer === 'k8s')?.version ?? '—';

export function profilesPage() {
  const body = h('tbody');
  const status = h('p', { class: 'error', role: 'alert' });

  async function load() {
    try {
      const list = await api.profiles();
      replace(body, list.items.length === 0
        ? h('tr', {}, h('td', { colspan: 5 }, 'No cluster profiles yet.'))
        : list.items.map((p) => h('tr', { 'data-profile': `${p.name}@${p.version}` },
          h('td', {}, p.name), h('td', {}, p.version), h('td', {}, kubernetesOf(p)),
          h('td', {}, (p.packs ?? []).map((k) => `${k.layer}:${k.name}@${k.version}`).join(', ')),
          h('td', {}, when(p.createdAt)))));
      status.textContent = '';
    } catch (err) {
      status.textContent = err.message;
    }
  }

  const text = h('textarea', { name: 'profile', rows: '12', spellcheck: 'false' });
  const problem = h('p', { class: 'error', role: 'alert' });
  const done = h('p', { role: 'status' });
  const form = h('form', { novalidate: true, onsubmit: (e) => { e.preventDefault(); add(); } },
    h('h2', {}, 'Add a profile or a version'),
    field('Profile (JSON): the name of an existing profile with a new version adds that version', text, { field: 'body' }),
    problem, done,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Add version')));

  async function add() {
    clearFieldErrors(form);
    problem.textContent = '';
    done.textContent = '';
    let body;
    try {
      body = JSON.parse(text.value);
    } catch (err) {
      problem.textContent = `not JSON: ${err.message}`;
      return;
    }
    try {
      const created = await api.addProfile(body);
      done.textContent = `${created.name} ${created.version} added`;
      load();
    } catch (err) {
      const unplaced = showFieldErrors(form, err);
      problem.textContent = unplaced.length ? unplaced.join('\n') : err.message;
    }
  }

  load();
  const element = h('section', {},
    h('div', { class: 'bar' }, h('h1', {}, 'Cluster profiles')),
    status,
    h('div', { class: 'scroll' }, h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, ['Name', 'Version', 'Kubernetes', 'Packs', 'Created'].map((t) => h('th', { scope: 'col' }, t)))),
      body)),
    permissions().write ? form : null);
  return { title: 'Cluster profiles', element };
}
