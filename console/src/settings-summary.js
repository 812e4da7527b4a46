// The cluster's settings as the details page shows them: one term per setting, "—" when none is set.
import { h } from './dom.js';

const onOff = (feature) => (feature?.enabled ? 'on' : 'off');

/** lastOsPatch: the cluster's last OS patch run, shown with the patch settings. */
export function settingsSummary(settings, lastOsPatch) {
  const s = settings ?? {};
  const rows = [];
  if (s.patchSchedule) rows.push(['Patch schedule', `${s.patchSchedule} (UTC)`]);
  if (s.osPatchOnBoot) rows.push(['OS patch on boot', 'on']);
  if (lastOsPatch) {
    const p = lastOsPatch;
    rows.push(['Last OS patch', [`${p.id}: ${p.result}`, `${p.nodesPatched} node(s) patched`, `started ${p.startedAt}`,
      p.completedAt ? `completed ${p.completedAt}` : null, p.message].filter(Boolean).join(', ')]);
  }
  if (s.securityScans) rows.push(['Security scans', `${onOff(s.securityScans)}${s.securityScans.schedule ? `, ${s.securityScans.schedule}` : ''}`]);
  if (s.backup) {
    rows.push(['Backup', [onOff(s.backup), s.backup.schedule, s.backup.retentionDays ? `kept ${s.backup.retentionDays} days` : null,
      s.backup.enabled ? `to ${s.backup.location || 'a bucket of the cluster'}` : null].filter(Boolean).join(', ')]);
  }
  for (const b of s.rbac ?? []) {
    rows.push(['RBAC', `${b.type} ${b.role}${b.namespace ? ` in ${b.namespace}` : ''} to ${(b.subjects ?? []).map((x) => `${x.kind} ${x.name}`).join(', ')}`]);
  }
  if (s.virtualClusters) rows.push(['Virtual clusters', onOff(s.virtualClusters)]);
  if (rows.length === 0) return [h('dt', {}, 'Settings'), h('dd', {}, '—')];
  return rows.map(([term, text]) => [h('dt', {}, term), h('dd', { 'data-setting': term }, text)]);
}
