// The details page's Backups section (settings.backup): the cluster's Velero backups, "Back up now" for editors,
// and "Restore" of a completed backup. How each ends (BackupCompleted, RestoreCompleted, ...) is in the events.
import { h, replace, when } from './dom.js';
import { api } from './api.js';

/** name: the cluster; canWrite: the caller may start backups and restores. */
export function backupsPanel(name, canWrite) {
  const rows = h('tbody', {});
  const message = h('p', { class: 'hint', role: 'status' });
  const backUp = h('button', { type: 'button', 'data-action': 'backup-now', onclick: start }, 'Back up now');

  async function refresh() {
    try {
      const list = await api.backups(name);
      replace(rows, list.items.length === 0 ? h('tr', {}, h('td', { colspan: 6 }, 'No backups.'))
        : list.items.map((b) => h('tr', { 'data-backup': b.name },
          h('td', { class: 'mono' }, b.name), h('td', {}, b.phase), h('td', {}, b.startedAt ? when(b.startedAt) : '—'),
          h('td', {}, b.completedAt ? when(b.completedAt) : '—'), h('td', { class: 'mono' }, b.location),
          h('td', {}, canWrite && b.phase === 'Completed'
            ? h('button', { type: 'button', 'data-action': 'restore', onclick: () => restore(b.name) }, 'Restore') : null))));
    } catch (err) {
      replace(rows, h('tr', {}, h('td', { colspan: 6 }, `Could not list the backups: ${err.message}`)));
    }
  }

  async function start() {
    try {
      const started = await api.createBackup(name);
      message.textContent = `Backup ${started.name} started: it is listed here once Velero has written it (see the events).`;
    } catch (err) {
      message.textContent = `Backup: ${err.message}`;
    }
  }

  async function restore(backup) {
    if (!window.confirm(`Restore backup ${backup} into ${name}?`)) return;
    try {
      const started = await api.restore(name, backup);
      message.textContent = `Restore ${started.name} of ${backup} started: the events say when it ends.`;
    } catch (err) {
      message.textContent = `Restore: ${err.message}`;
    }
  }

  const element = h('div', { 'data-section': 'backups' },
    h('div', { class: 'toolbar' }, canWrite ? backUp : null, h('button', { type: 'button', onclick: refresh }, 'Refresh')),
    message,
    h('div', { class: 'scroll' }, h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, ['Backup', 'Phase', 'Started', 'Completed', 'Location', ''].map((t) => h('th', { scope: 'col' }, t)))), rows)));
  return { element, refresh };
}
