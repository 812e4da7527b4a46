// The cluster's settings, as the product doc's settings page lists them: patch schedule, security scans, backup,
// RBAC bindings and virtual clusters. Used by the wizard and by the details page's "Edit cluster".
import { h, field } from './dom.js';

/** settings: the ClusterSettings to start from (or none). value() throws when the RBAC text is not JSON. */
export function settingsEditor(settings = {}) {
  const s = settings ?? {};
  const patchSchedule = h('input', { name: 'patch-schedule', placeholder: '0 3 * * SUN', autocomplete: 'off', value: s.patchSchedule ?? '' });
  const osPatchOnBoot = h('input', { type: 'checkbox', name: 'os-patch-on-boot', checked: !!s.osPatchOnBoot });
  const scansOn = h('input', { type: 'checkbox', name: 'scans', checked: !!s.securityScans?.enabled });
  const scansSchedule = h('input', { name: 'scan-schedule', placeholder: '0 4 * * SAT', autocomplete: 'off', value: s.securityScans?.schedule ?? '' });
  const backupOn = h('input', { type: 'checkbox', name: 'backup', checked: !!s.backup?.enabled });
  const backupSchedule = h('input', { name: 'backup-schedule', placeholder: '0 2 * * *', autocomplete: 'off', value: s.backup?.schedule ?? '' });
  const backupRetention = h('input', { name: 'backup-retention', type: 'number', min: '1', placeholder: '30', value: s.backup?.retentionDays ?? '' });
  const backupLocation = h('input', { name: 'backup-location', placeholder: 'empty: a bucket of the cluster', autocomplete: 'off', value: s.backup?.location ?? '' });
  const rbac = h('textarea', { name: 'rbac', rows: 3, class: 'yaml', spellcheck: 'false',
    placeholder: '[{"type":"RoleBinding","namespace":"apps","role":"edit","subjects":[{"kind":"Group","name":"ops"}]}]',
    value: s.rbac?.length ? JSON.stringify(s.rbac) : '' });
  const virtualClusters = h('input', { type: 'checkbox', name: 'virtual-clusters', checked: !!s.virtualClusters?.enabled });
  const element = h('div', {},
    field('Patch schedule (cron)', patchSchedule, { field: 'settings.patchSchedule',
      hint: 'Five fields in UTC, e.g. 0 3 * * SUN: the nodes are patched in place, node by node within each pool\'s maxUnavailable' }),
    h('label', { class: 'inline toggle' }, osPatchOnBoot, ' Apply OS security updates on boot, before a node joins'),
    h('fieldset', {}, h('legend', {}, 'Security scans'), h('label', { class: 'inline' }, scansOn, ' Enabled'),
      field('Schedule (cron)', scansSchedule, { field: 'settings.securityScans.schedule' })),
    h('fieldset', {}, h('legend', {}, 'Backup'), h('label', { class: 'inline' }, backupOn, ' Enabled'),
      h('div', { class: 'row' },
        field('Schedule (cron)', backupSchedule, { field: 'settings.backup.schedule' }),
        field('Retention (days)', backupRetention, { field: 'settings.backup.retentionDays' }),
        field('Location', backupLocation, { field: 'settings.backup.location',
          hint: 'An existing S3 bucket of the cloud account, or empty: the product creates one for the cluster (encrypted, private, expiring after the retention)' }))),
    field('RBAC bindings (JSON array)', rbac, { field: 'settings.rbac',
      hint: 'An editor may bind edit or view in a namespace (RoleBinding); cluster-wide bindings and other roles need project-admin.' }),
    h('label', { class: 'inline toggle' }, virtualClusters, ' Enable Palette Virtual Clusters'));

  return {
    element,
    /** The settings as the API takes them; {} when nothing is set. */
    value() {
      const result = {};
      if (patchSchedule.value.trim()) result.patchSchedule = patchSchedule.value.trim();
      if (osPatchOnBoot.checked) result.osPatchOnBoot = true;
      if (scansOn.checked || scansSchedule.value.trim()) result.securityScans = { enabled: scansOn.checked, ...(scansSchedule.value.trim() ? { schedule: scansSchedule.value.trim() } : {}) };
      if (backupOn.checked) {
        result.backup = { enabled: true, schedule: backupSchedule.value.trim(), location: backupLocation.value.trim(),
          ...(backupRetention.value ? { retentionDays: Number(backupRetention.value) } : {}) };
      }
      if (rbac.value.trim()) result.rbac = JSON.parse(rbac.value);
      if (virtualClusters.checked) result.virtualClusters = { enabled: true };
      return result;
    },
  };
}
