// The cluster details page: status and conditions (polled live), description, tags and settings, node pools and
// their nodes (with each node's Kubernetes version once nodes report it), events, hourly cost, kubeconfig download
// and the kubeconfigs issued (an admin sees everyone's, anyone else their own), and the Settings menu: edit the
// cluster (description, tags, worker pool updates, settings), scale, edit, add or remove a pool (each shows its
// update plan, a dry run, before it is applied), Delete Cluster (type the name) and Force Delete Cluster.
import { h, replace, field, money, when, parsePairs, pairLines } from '../dom.js';
import { api, ApiError, showFieldErrors, clearFieldErrors } from '../api.js';
import { permissions } from '../auth.js';
import { currentConfig } from '../config.js';
import { hourlyCost } from '../cost.js';
import { poolEditor } from '../pool-editor.js';
import { renderChangePlan } from '../plan.js';
import { settingsEditor } from '../settings-editor.js';
import { settingsSummary } from '../settings-summary.js';
import { backupsPanel } from '../backups-panel.js';
import { scansPanel } from '../scans-panel.js';
import { kubernetesOf } from './profiles.js';
import { virtualClustersSection } from '../virtual-clusters.js';

export function detailsPage(name) {
  const can = permissions();
  const title = h('h1', {}, name);
  const statusLine = h('p', { class: 'status-line', 'aria-live': 'polite' });
  const cost = h('span', { 'data-testid': 'hourly-cost' }, '…');
  const summary = h('dl', { class: 'summary' });
  const settingsList = h('dl', { class: 'facts', 'data-testid': 'settings' });
  const conditions = h('tbody', { 'data-testid': 'conditions' });
  const poolsBody = h('tbody', { 'data-testid': 'node-pools' });
  const nodes = h('div', { 'data-testid': 'nodes' });
  const events = h('tbody', { 'data-testid': 'events' });
  const issued = h('tbody', { 'data-testid': 'kubeconfigs' });
  const virtualClusters = virtualClustersSection(name, can);
  const error = h('p', { class: 'error', role: 'alert' });
  const kubeconfigButton = h('button', { type: 'button', onclick: () => downloadKubeconfig() }, 'Download kubeconfig');
  const countdown = h('span', { class: 'countdown', 'data-testid': 'force-delete-countdown' });
  const forceDeleteButton = h('button', { type: 'button', role: 'menuitem', class: 'danger', disabled: true, onclick: () => openForceDelete() }, 'Force Delete Cluster');
  const dialog = h('dialog', { class: 'card' });
  let cluster = null;
  let forceDeleteAt = null;
  let pollTimer = null;
  let tickTimer = null;
  let gone = false;

  const menu = h('div', { class: 'menu', role: 'menu', hidden: true },
    can.write ? [
      h('button', { type: 'button', role: 'menuitem', onclick: () => openEditCluster() }, 'Edit cluster'),
      h('button', { type: 'button', role: 'menuitem', onclick: () => openScale() }, 'Scale node pools'),
      h('button', { type: 'button', role: 'menuitem', onclick: () => openEditPool() }, 'Edit node pool'),
      h('button', { type: 'button', role: 'menuitem', onclick: () => openAddPool() }, 'Add node pool'),
      h('button', { type: 'button', role: 'menuitem', onclick: () => openRemovePool() }, 'Remove node pool'),
      h('button', { type: 'button', role: 'menuitem', onclick: () => openUpdateProfile() }, 'Update profile'),
      h('button', { type: 'button', role: 'menuitem', class: 'danger', onclick: () => openDelete() }, 'Delete Cluster'),
    ] : [],
    can.forceDelete ? h('div', { class: 'menu-item' }, forceDeleteButton, countdown) : null);
  const settingsButton = h('button', {
    type: 'button', 'aria-haspopup': 'menu', 'aria-expanded': 'false',
    onclick: () => { menu.hidden = !menu.hidden; settingsButton.setAttribute('aria-expanded', String(!menu.hidden)); },
  }, 'Settings ▾');
  const closeMenu = () => { menu.hidden = true; settingsButton.setAttribute('aria-expanded', 'false'); };
  menu.addEventListener('keydown', (e) => { if (e.key === 'Escape') { closeMenu(); settingsButton.focus(); } });

  function render(c) {
    cluster = c;
    replace(statusLine, h('span', { class: `status status-${c.status}`, 'data-testid': 'status' }, c.status),
      c.statusReason ? ` ${c.statusReason}` : '');
    replace(summary,
      h('dt', {}, 'Region'), h('dd', {}, c.cloud?.region ?? ''),
      h('dt', {}, 'Cloud account'), h('dd', {}, c.cloudAccount ?? ''),
      h('dt', {}, 'Profile'), h('dd', {}, c.profile ? `${c.profile.name} ${c.profile.version}` : ''),
      h('dt', {}, 'Description'), h('dd', { 'data-testid': 'description' }, c.description || '—'),
      h('dt', {}, 'Tags'), h('dd', { 'data-testid': 'tags' }, Object.entries(c.tags ?? {}).map(([k, v]) => `${k}=${v}`).join(', ') || '—'),
      h('dt', {}, 'API load balancer'), h('dd', {}, c.cloud?.apiLoadBalancer ?? 'internet-facing'),
      h('dt', {}, 'Worker pool updates'), h('dd', {}, c.updateWorkerPoolsInParallel ? 'in parallel' : 'one after another'),
      h('dt', {}, 'Hourly cost'), h('dd', {}, cost),
      h('dt', {}, 'Created'), h('dd', {}, when(c.createdAt)),
      c.deletedAt ? [h('dt', {}, 'Deleted'), h('dd', {}, when(c.deletedAt))] : null,
      h('dt', {}, 'Generation'), h('dd', {}, `${c.observedGeneration ?? 0} of ${c.generation ?? 0} applied`));
    replace(settingsList, settingsSummary(c.settings, c.lastOsPatch));
    replace(conditions, (c.conditions ?? []).length === 0 ? h('tr', {}, h('td', { colspan: 5 }, 'No conditions yet.'))
      : c.conditions.map((k) => h('tr', { 'data-condition': k.type },
        h('td', {}, k.type), h('td', {}, h('span', { class: `cond cond-${k.status}` }, k.status)), h('td', {}, k.reason ?? ''),
        h('td', {}, k.message ?? ''), h('td', {}, when(k.lastTransitionTime)))));
    replace(poolsBody, (c.nodePools ?? []).map((p) => h('tr', { 'data-pool': p.name },
      h('td', {}, p.name), h('td', {}, p.role), h('td', { class: 'num' }, c.status === 'Deleted' ? 0 : p.count),
      h('td', {}, p.instanceType), h('td', {}, (p.availabilityZones ?? []).join(', ')), h('td', {}, p.capacityType ?? 'on-demand'),
      h('td', { class: 'num' }, p.diskSizeGiB ?? ''),
      h('td', {}, (p.taints ?? []).map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`).join(', ')),
      h('td', {}, Object.entries(p.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(', ')),
      h('td', {}, `surge ${p.updateStrategy?.maxSurge ?? 1}, unavailable ${p.updateStrategy?.maxUnavailable ?? 0}`),
      h('td', {}, p.healthCheck?.enabled === false ? 'off'
        : `max unhealthy ${p.healthCheck?.maxUnhealthy ?? '100%'}, startup ${p.healthCheck?.nodeStartupTimeoutMinutes ?? 10} min`))));
    kubeconfigButton.disabled = c.status !== 'Running' && c.status !== 'Updating';
    settingsButton.disabled = c.status === 'Deleted';
    forceDeleteAt = c.status === 'Deleting' && c.forceDeleteSecondsLeft != null ? Date.now() + c.forceDeleteSecondsLeft * 1000 : null;
    tick();
  }

  /** Each pool's nodes as the API lists them (EC2's view, or the record alone with the reason). */
  function renderNodes(listing) {
    if (!listing) {
      replace(nodes, h('p', {}, 'No nodes.'));
      return;
    }
    replace(nodes,
      listing.warning ? h('p', { class: 'error', 'data-testid': 'nodes-warning' }, `Shown as recorded: ${listing.warning}`) : null,
      listing.pools.map((p) => renderPoolNodes(p)));
  }

  /** One pool's nodes; the Kubernetes column shows once the answer carries nodes' versions. */
  function renderPoolNodes(p) {
    const versions = p.nodes.some((n) => n.kubernetesVersion != null);
    return h('section', { 'data-node-pool': p.name },
        h('h3', {}, `${p.name} (${p.nodes.length})`),
        p.nodes.length === 0 ? h('p', {}, 'No nodes yet.')
          : h('div', { class: 'scroll' }, h('table', { class: 'list' },
            h('thead', {}, h('tr', {}, ['Instance', 'Name', 'Zone', 'Type', 'Capacity', 'State', 'Phase', ...(versions ? ['Kubernetes'] : []), 'Launched', 'Private IP']
              .map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', {}, p.nodes.map((n) => h('tr', { 'data-node': n.instanceId },
              h('td', {}, n.instanceId), h('td', {}, n.name), h('td', {}, n.zone ?? '–'), h('td', {}, n.instanceType ?? '–'),
              h('td', {}, n.capacityType ?? '–'), h('td', {}, n.state ?? '–'), h('td', {}, n.phase ?? '–', n.phaseMessage ? h('div', { class: 'hint', 'data-testid': 'node-phase-message' }, n.phaseMessage) : null),
              versions ? h('td', { 'data-testid': 'node-kubernetes-version' }, n.kubernetesVersion ?? '–') : null,
              h('td', {}, n.launchTime ? when(n.launchTime) : '–'), h('td', {}, n.privateIp ?? '–')))))));
  }

  /** Force delete: only while Deleting, and only once its time has come; a live countdown until then. */
  function tick() {
    if (!cluster || cluster.status !== 'Deleting') {
      forceDeleteButton.disabled = true;
      countdown.textContent = cluster?.status === 'Deleted' ? '' : 'available only while a delete is running';
      return;
    }
    const left = Math.max(0, Math.ceil((forceDeleteAt - Date.now()) / 1000));
    forceDeleteButton.disabled = left > 0;
    countdown.textContent = left > 0 ? `available in ${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}` : 'available now';
  }

  async function refresh() {
    try {
      const [c, ev, pools] = await Promise.all([api.getCluster(name), api.events(name).catch(() => ({ items: [] })),
        api.nodePools(name).catch(() => null)]);
      render(c);
      virtualClusters.refresh(c.status);
      // A failed read of the nodes keeps the last list; a deleted cluster has none.
      if (c.status === 'Deleted') renderNodes(null);
      else if (pools) renderNodes(pools.nodes);
      replace(events, ev.items.slice().reverse().map((e) => h('tr', {},
        h('td', {}, when(e.at)), h('td', {}, e.type), h('td', {}, e.reason), h('td', {}, e.message))));
      hourlyCost(c).then((usd) => { cost.textContent = money(usd); });
      error.textContent = '';
    } catch (err) {
      if (err instanceof ApiError && err.status === 404 && cluster) {
        // Past its 72 hours a deleted cluster is gone from the API too.
        render({ ...cluster, status: 'Deleted', statusReason: 'no longer kept' });
        gone = true;
        stopPolling();
      } else error.textContent = err.message;
    }
  }

  function startPolling() {
    stopPolling();
    pollTimer = setInterval(() => { if (!gone && cluster?.status !== 'Deleted') refresh(); }, currentConfig().pollMilliseconds);
    tickTimer = setInterval(tick, 1000);
  }
  function stopPolling() { clearInterval(pollTimer); clearInterval(tickTimer); }

  async function downloadKubeconfig() {
    try {
      const kubeconfig = await api.kubeconfig(name);
      const link = h('a', { href: URL.createObjectURL(new Blob([kubeconfig.kubeconfig], { type: 'application/yaml' })), download: `${name}.kubeconfig` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 1000);
      refreshIssued();
    } catch (err) {
      error.textContent = `kubeconfig: ${err.message}`;
    }
  }

  /** The client certificates issued for this cluster: read once, and again after each download (not polled). */
  async function refreshIssued() {
    try {
      const list = await api.kubeconfigs(name);
      const now = Date.now();
      replace(issued, list.items.length === 0 ? h('tr', {}, h('td', { colspan: 6 }, 'No kubeconfigs issued.'))
        : list.items.slice().reverse().map((k) => h('tr', { 'data-serial': k.serialNumber },
          h('td', {}, k.subject), h('td', {}, k.group), h('td', { class: 'mono' }, k.serialNumber), h('td', {}, when(k.issuedAt)),
          h('td', {}, when(k.expiresAt), new Date(k.expiresAt).getTime() <= now ? h('span', { class: 'hint' }, ' (expired)') : null),
          h('td', {}, k.issuedBy))));
    } catch (err) {
      replace(issued, h('tr', {}, h('td', { colspan: 6 }, `Could not list the kubeconfigs: ${err.message}`)));
    }
  }

  /** A dialog with a form, Cancel, and one action; errors are shown beside their fields, nothing typed is lost. */
  function openDialog(heading, body, actions) {
    closeMenu();
    const problem = h('p', { class: 'error', role: 'alert' });
    const form = h('form', { method: 'dialog', novalidate: true, onsubmit: (e) => e.preventDefault() },
      h('h2', {}, heading), body, problem,
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel'), actions));
    replace(dialog, form);
    dialog.showModal();
    return {
      form,
      async run(action) {
        clearFieldErrors(form);
        problem.textContent = '';
        try {
          return await action();
        } catch (err) {
          const unplaced = showFieldErrors(form, err);
          problem.textContent = unplaced.length ? unplaced.join('\n') : (err.fieldErrors?.length ? '' : err.message);
          return undefined;
        }
      },
    };
  }

  /** The two-phase edit: "Review plan" runs the change dry, "Apply" sends it. */
  function changeDialog(heading, body, send) {
    const planSlot = h('div', {});
    const apply = h('button', { type: 'button', class: 'primary', disabled: true }, 'Apply');
    const review = h('button', { type: 'button' }, 'Review plan');
    const d = openDialog(heading, [body, planSlot], [review, apply]);
    let reviewed = null;
    d.form.addEventListener('input', () => { apply.disabled = true; reviewed = null; });
    review.addEventListener('click', () => d.run(async () => {
      const request = send.build();
      const plan = await send.call(request, true);
      replace(planSlot, renderChangePlan(plan));
      reviewed = request;
      apply.disabled = false;
    }));
    apply.addEventListener('click', () => d.run(async () => {
      if (!reviewed) return;
      const updated = await send.call(reviewed, false);
      dialog.close();
      render(updated);
      startPolling();
    }));
  }

  /** Description, tags, worker pool updates and settings: a merge patch of what changed, its plan first. */
  function openEditCluster() {
    const description = h('textarea', { name: 'description', rows: 2, value: cluster.description ?? '' });
    const tags = h('textarea', { name: 'tags', rows: 3, placeholder: 'team=platform\ncost-center=42', value: pairLines(cluster.tags) });
    const parallel = h('input', { type: 'checkbox', name: 'parallel', checked: !!cluster.updateWorkerPoolsInParallel });
    const settings = settingsEditor(cluster.settings);
    changeDialog('Edit cluster', [
      field('Description', description, { field: 'description' }),
      field('Tags (key=value, one per line)', tags, { field: 'tags', hint: 'Put on every AWS resource of the cluster, VMs included' }),
      h('label', { class: 'inline toggle' }, parallel, ' Update worker pools in parallel'),
      h('h3', {}, 'Settings'), settings.element,
    ], {
      build: () => {
        // A merge patch: a tag no longer listed is removed (null), objects such as settings are replaced by what the form holds.
        const next = parsePairs(tags.value);
        const tagPatch = { ...next };
        for (const key of Object.keys(cluster.tags ?? {})) if (!(key in next)) tagPatch[key] = null;
        let value;
        try {
          value = settings.value();
        } catch (err) {
          throw new ApiError(400, { errors: [{ field: 'settings.rbac', message: `not JSON: ${err.message}` }] });
        }
        const settingsPatch = { ...value };
        for (const key of Object.keys(cluster.settings ?? {})) if (!(key in value)) settingsPatch[key] = null;
        return { description: description.value.trim() || null, tags: tagPatch, updateWorkerPoolsInParallel: parallel.checked, settings: settingsPatch };
      },
      call: (patch, dryRun) => api.patch(name, patch, dryRun),
    });
  }

  function openRemovePool() {
    const workers = cluster.nodePools.filter((p) => p.role === 'worker');
    const choose = h('select', { name: 'pool' }, workers.map((p) => h('option', { value: p.name }, `${p.name} (${p.count} × ${p.instanceType})`)));
    changeDialog('Remove node pool', [
      field('Worker pool', choose, { field: 'pool' }),
      h('p', { class: 'hint' }, 'Its nodes are drained and terminated. The control-plane pool and the last worker pool cannot be removed.'),
    ], {
      build: () => choose.value,
      call: (pool, dryRun) => api.removePool(name, pool, dryRun),
    });
  }

  function openScale() {
    const counts = cluster.nodePools.map((p, i) => ({ pool: p, input: h('input', { type: 'number', min: '1', name: `count-${p.name}`, value: p.count }), i }));
    changeDialog('Scale node pools', counts.map(({ pool, input, i }) => field(`${pool.name} (${pool.role}) nodes`, input, { field: `nodePools[${i}].count` })), {
      // A JSON merge patch replaces arrays whole: every pool goes, with its new count.
      build: () => ({ nodePools: counts.map(({ pool, input }) => ({ ...pool, count: Number(input.value) })) }),
      call: (patch, dryRun) => api.patch(name, patch, dryRun),
    });
  }

  function openEditPool() {
    const choose = h('select', { name: 'pool' }, cluster.nodePools.map((p) => h('option', { value: p.name }, p.name)));
    const slot = h('div', {});
    let editor = null;
    const cloud = () => ({ account: cluster.cloudAccount, region: cluster.cloud?.region });
    const pick = () => {
      editor = poolEditor(cluster.nodePools.find((p) => p.name === choose.value), { prefix: '', cloud, lockName: true });
      replace(slot, editor.element);
      editor.refresh();
    };
    choose.addEventListener('change', pick);
    changeDialog('Edit node pool', [field('Pool', choose), slot], {
      build: () => editor.value(),
      call: (pool, dryRun) => api.replacePool(name, pool, dryRun),
    });
    pick();
  }

  /** Another version of the cluster's profile: the plan first (order, nodes replaced, cost), then Apply. */
  function openUpdateProfile() {
    const version = h('select', { name: 'profile-version' });
    changeDialog('Update profile', field(`Version of profile ${cluster.profile?.name}`, version, { field: 'profile.version' }), {
      build: () => ({ profile: { version: version.value } }),
      call: (patch, dryRun) => api.patch(name, patch, dryRun),
    });
    api.profile(cluster.profile?.name).then((p) => replace(version, (p.versions ?? [p]).map((v) => h('option', { value: v.version, selected: v.version === cluster.profile?.version },
      `${v.version} (Kubernetes ${kubernetesOf(v)})${v.version === cluster.profile?.version ? ' · current' : ''}`))));
  }

  function openAddPool() {
    const zones = cluster.nodePools.find((p) => p.role === 'worker')?.availabilityZones ?? [];
    const editor = poolEditor({ name: `pool-${cluster.nodePools.length}`, role: 'worker', count: 1, instanceType: 'm5.large', availabilityZones: zones },
      { prefix: '', cloud: () => ({ account: cluster.cloudAccount, region: cluster.cloud?.region }) });
    changeDialog('Add node pool', editor.element, {
      build: () => editor.value(),
      call: (pool, dryRun) => api.addPool(name, pool, dryRun),
    });
    editor.refresh();
  }

  function openDelete() {
    const typed = h('input', { name: 'confirm', autocomplete: 'off' });
    const ok = h('button', { type: 'button', class: 'danger', disabled: true }, 'OK');
    typed.addEventListener('input', () => { ok.disabled = typed.value !== name; });
    const d = openDialog('Delete Cluster', [
      h('p', {}, `This removes every AWS resource of ${name}. Type the cluster's name to confirm.`),
      field('Cluster name', typed, { field: 'confirm' }),
    ], ok);
    ok.addEventListener('click', () => d.run(async () => {
      const deleting = await api.remove(name, typed.value);
      dialog.close();
      render(deleting);
      startPolling();
    }));
    typed.focus();
  }

  function openForceDelete() {
    const ok = h('button', { type: 'button', class: 'danger' }, 'Force Delete');
    const d = openDialog('Force Delete Cluster', h('p', {},
      'The delete has not finished. Force delete marks the cluster Deleted now and reports every resource left behind, which may go on costing money.'), ok);
    ok.addEventListener('click', () => d.run(async () => {
      const report = await api.forceDelete(name);
      replace(d.form.querySelector('.actions'), h('button', { type: 'button', onclick: () => dialog.close() }, 'Close'));
      d.form.append(h('p', {}, `Left behind: ${(report.leftovers ?? []).length} resource(s).`),
        h('ul', {}, (report.leftovers ?? []).map((l) => h('li', {}, `${l.type} ${l.id}${l.reason ? `: ${l.reason}` : ''}`))));
      refresh();
    }));
  }

  const backups = backupsPanel(name, can.write);
  const scans = scansPanel(name, can.write);
  const element = h('section', {},
    h('p', {}, h('a', { href: '#/clusters' }, '← Clusters')),
    h('div', { class: 'bar' }, title, h('div', { class: 'toolbar' }, kubeconfigButton,
      can.write || can.forceDelete ? h('div', { class: 'menu-holder' }, settingsButton, menu) : null)),
    statusLine, error, summary,
    h('h2', {}, 'Conditions'),
    h('div', { class: 'scroll' }, h('table', { class: 'list' }, h('thead', {}, h('tr', {}, ['Condition', 'Status', 'Reason', 'Message', 'Since'].map((t) => h('th', { scope: 'col' }, t)))), conditions)),
    h('h2', {}, 'Settings'), settingsList,
    h('h2', {}, 'Backups'), backups.element,
    h('h2', {}, 'Security scans'), scans.element,
    h('h2', {}, 'Node pools'),
    h('div', { class: 'scroll' }, h('table', { class: 'list' }, h('thead', {}, h('tr', {}, ['Pool', 'Role', 'Nodes', 'Instance type', 'Zones', 'Cost type', 'Disk (GiB)', 'Taints',
      'Labels', 'Rolling update', 'Health check'].map((t) => h('th', { scope: 'col' }, t)))), poolsBody)),
    h('h2', {}, 'Nodes'), nodes,
    h('h2', {}, 'Virtual clusters'), virtualClusters.element,
    h('h2', {}, 'Issued kubeconfigs'),
    h('p', { class: 'hint' }, can.forceDelete
      ? 'Every client certificate issued for this cluster. Each is valid at most 24 hours: Kubernetes cannot revoke one before it expires.'
      : 'The client certificates issued to you for this cluster. Each is valid at most 24 hours: Kubernetes cannot revoke one before it expires.'),
    h('div', { class: 'scroll' }, h('table', { class: 'list' }, h('thead', {}, h('tr', {}, ['Subject', 'Group', 'Serial number', 'Issued', 'Expires', 'Issued to'].map((t) => h('th', { scope: 'col' }, t)))), issued)),
    h('h2', {}, 'Events'),
    h('div', { class: 'scroll' }, h('table', { class: 'list' }, h('thead', {}, h('tr', {}, ['When', 'Type', 'Reason', 'Message'].map((t) => h('th', { scope: 'col' }, t)))), events)),
    dialog);
  refresh().then(startPolling);
  refreshIssued();
  backups.refresh();
  scans.refresh();
  return { title: name, element, leave: stopPolling };
}
