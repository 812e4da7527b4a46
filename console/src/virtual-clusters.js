// The details page's Virtual clusters section: the cluster's virtual clusters with their status (read on every
// poll: the API learns each one's state from the in-cluster agent's report then), a form to create one, and per row
// Delete and Download kubeconfig (once Running). Creating one needs settings.virtualClusters.enabled (the Settings
// step of the wizard, or Edit cluster); the API answers 409 otherwise, shown as it says.
import { h, replace, when, field } from './dom.js';
import { route, request, showFieldErrors, clearFieldErrors } from './api.js';

const call = (name, values, body) => {
  const { method, path } = route(name, ...values);
  return request(method, path, body);
};

export function virtualClustersSection(cluster, can) {
  const rows = h('tbody', { 'data-testid': 'virtual-clusters' });
  const problem = h('p', { class: 'error', role: 'alert' });
  const input = h('input', { name: 'vcluster-name', maxlength: 53, placeholder: 'dev', autocomplete: 'off' });
  const create = h('button', { type: 'submit' }, 'Create virtual cluster');
  const form = h('form', {
    class: 'inline', novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      clearFieldErrors(form);
      problem.textContent = '';
      try {
        await call('createVirtualCluster', [cluster], { name: input.value.trim() });
        input.value = '';
        refresh();
      } catch (err) {
        const unplaced = err.status === 400 ? showFieldErrors(form, err) : [];
        if (err.status !== 400 || unplaced.length > 0) problem.textContent = unplaced.length > 0 ? unplaced.join('; ') : err.message;
      }
    },
  }, field('Name', input, { field: 'name', hint: 'a DNS label of at most 53 characters' }), create);

  async function remove(name) {
    problem.textContent = '';
    try {
      await call('deleteVirtualCluster', [cluster, name]);
      refresh();
    } catch (err) {
      problem.textContent = err.message;
    }
  }

  async function download(name) {
    problem.textContent = '';
    try {
      const published = await call('getVirtualClusterKubeconfig', [cluster, name]);
      const link = h('a', { href: URL.createObjectURL(new Blob([published.kubeconfig], { type: 'application/yaml' })), download: `${cluster}-${name}.kubeconfig` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    } catch (err) {
      problem.textContent = `kubeconfig: ${err.message}`;
    }
  }

  async function refresh(status) {
    if (status === 'Deleted') {
      replace(rows, h('tr', {}, h('td', { colspan: 6 }, 'No virtual clusters.')));
      return;
    }
    try {
      const list = await call('listVirtualClusters', [cluster]);
      replace(rows, list.items.length === 0 ? h('tr', {}, h('td', { colspan: 6 }, 'No virtual clusters.'))
        : list.items.map((v) => h('tr', { 'data-vcluster': v.name },
          h('td', {}, v.name), h('td', {}, h('span', { class: `status status-${v.status}` }, v.status)), h('td', {}, v.namespace),
          h('td', {}, v.statusReason ?? ''), h('td', {}, when(v.createdAt)),
          h('td', {},
            can.write ? h('button', { type: 'button', disabled: v.status !== 'Running', onclick: () => download(v.name) }, 'Download kubeconfig') : null,
            can.write ? h('button', { type: 'button', class: 'danger', disabled: v.status === 'Deleting', onclick: () => remove(v.name) }, 'Delete') : null))));
    } catch (err) {
      replace(rows, h('tr', {}, h('td', { colspan: 6 }, `Could not list the virtual clusters: ${err.message}`)));
    }
  }

  const element = h('div', {},
    h('p', { class: 'hint' }, 'Virtual clusters (vcluster) run in their own namespace of this cluster, installed by its in-cluster agent. '
      + 'Their kubeconfig is vcluster\'s own admin kubeconfig (server https://localhost:8443: reach it with a port-forward).'),
    can.write ? form : null, problem,
    h('div', { class: 'scroll' }, h('table', { class: 'list' }, h('thead', {}, h('tr', {},
      ['Name', 'Status', 'Namespace', 'Reason', 'Created', ''].map((t) => h('th', { scope: 'col' }, t)))), rows)));
  return { element, refresh };
}
