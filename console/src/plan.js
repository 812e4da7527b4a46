// A day-2 change plan (PATCH / PUT / POST with ?dryRun=true): what each pool's nodes go through and the cost before and after.
import { h, money } from './dom.js';

export function renderChangePlan(plan) {
  const pools = (plan.pools ?? []).filter((p) => p.change !== 'None');
  return h('div', { class: 'plan', 'data-testid': 'change-plan' },
    h('h3', {}, 'Update plan'),
    plan.upgrade ? h('p', { 'data-testid': 'upgrade' }, `Kubernetes ${plan.upgrade.from} → ${plan.upgrade.to}: control-plane pool ${plan.upgrade.controlPlanePool} first, one node at a time, then the worker pools`) : null,
    h('p', { class: 'cost' }, `Estimated cost: ${money(plan.oldEstimatedHourlyCostUsd)} → ${money(plan.newEstimatedHourlyCostUsd)}`),
    plan.changedFields?.length ? h('p', {}, `Changed cluster fields: ${plan.changedFields.join(', ')}`) : null,
    pools.length === 0 ? h('p', {}, 'No node changes.') : h('div', { class: 'scroll' }, h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, ['Pool', 'Change', 'Fields', 'Nodes', 'Cost'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, pools.map((p) => h('tr', {},
        h('td', {}, p.pool), h('td', {}, p.change), h('td', {}, (p.changedFields ?? []).join(', ')),
        h('td', {}, nodeSummary(p)),
        h('td', { class: 'num' }, `${money(p.oldHourlyCostUsd)} → ${money(p.newHourlyCostUsd)}`)))))),
    plan.stages?.length ? h('p', { class: 'hint' }, `Order: ${plan.stages.map((s) => s.join(' + ')).join(' → ')}`) : null);
}

function nodeSummary(p) {
  const parts = [];
  if (p.replacedNodeIds?.length) parts.push(`${p.replacedNodeIds.length} replaced`);
  if (p.addedCount) parts.push(`${p.addedCount} added${p.launchZones?.length ? ` in ${[...new Set(p.launchZones)].join(', ')}` : ''}`);
  if (p.removedNodeIds?.length) parts.push(`${p.removedNodeIds.length} removed (${p.removedNodeIds.join(', ')})`);
  return parts.join('; ') || '—';
}
