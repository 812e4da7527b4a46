// The product API with the signed-in user's bearer token. Errors are RFC 9457 problem details:
// ApiError keeps them so a page can put each `errors[].field` message beside its input.
import { currentConfig } from './config.js';
import { session } from './auth.js';
import routeFile from './routes.json' with { type: 'json' };

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? problem?.message ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem ?? {};
    this.fieldErrors = Array.isArray(problem?.errors) ? problem.errors : [];
  }
}

export async function request(method, path, body, { headers = {} } = {}) {
  const s = session();
  const response = await fetch(`${currentConfig().apiUrl}${path}`, {
    method,
    headers: {
      Accept: 'application/json',
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(s ? { Authorization: `Bearer ${s.token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = { detail: text };
  }
  if (response.status === 401) window.dispatchEvent(new CustomEvent('palette:unauthorized'));
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

const enc = encodeURIComponent;

/**
 * A route of the API by its name in routes.json (generated from the API's route catalog; psctl reads the same
 * file): its method, and its path with {project} and then `values` filled in the order the template names them.
 */
export function route(name, ...values) {
  const r = routeFile.routes[name];
  if (!r) throw new Error(`routes.json has no route '${name}'`);
  const given = [session().project, ...values];
  let next = 0;
  const path = r.path.replace(/\{[^}]+\}/g, (param) => {
    if (next >= given.length) throw new Error(`route '${name}' (${r.path}) needs a value for ${param}`);
    return enc(given[next++]);
  });
  if (next !== given.length) throw new Error(`route '${name}' (${r.path}) takes ${next} value(s), not ${given.length}`);
  return { method: r.method, path };
}

/** Calls a route by name; `query` (without '?') is appended when given. */
function call(name, values, { query = '', body } = {}) {
  const { method, path } = route(name, ...values);
  return request(method, query ? `${path}?${query}` : path, body);
}

const dry = (dryRun) => (dryRun ? 'dryRun=true' : '');

export const api = {
  listClusters: (includeDeleted) => call('listClusters', [], { query: `limit=100${includeDeleted ? '&includeDeleted=true' : ''}` }),
  getCluster: (name) => call('getCluster', [name], { query: 'includeDeleted=true' }),
  events: (name) => call('listClusterEvents', [name], { query: 'limit=100' }),
  nodePools: (name) => call('listNodePools', [name]),
  kubeconfig: (name) => call('getClusterKubeconfig', [name]),
  kubeconfigs: (name) => call('listClusterKubeconfigs', [name], { query: 'limit=100' }),
  dryRunCreate: (spec) => call('createCluster', [], { query: dry(true), body: spec }),
  create: (spec) => call('createCluster', [], { body: spec }),
  remove: (name, confirm) => call('deleteCluster', [name], { query: `confirm=${enc(confirm)}` }),
  forceDelete: (name) => call('forceDeleteCluster', [name]),
  backups: (name) => call('listBackups', [name]),
  createBackup: (name) => call('createBackup', [name]),
  restore: (name, backup) => call('createRestore', [name], { body: { backup } }),
  scans: (name) => call('listScans', [name]),
  createScan: (name) => call('createScan', [name]),
  patch: (name, patch, dryRun) => call('updateCluster', [name], { query: dry(dryRun), body: patch }),
  addPool: (name, pool, dryRun) => call('addNodePool', [name], { query: dry(dryRun), body: pool }),
  replacePool: (name, pool, dryRun) => call('replaceNodePool', [name, pool.name], { query: dry(dryRun), body: pool }),
  removePool: (name, pool, dryRun) => call('removeNodePool', [name, pool], { query: dry(dryRun) }),
  cloudAccounts: () => call('listCloudAccounts', [], { query: 'limit=100' }),
  profiles: () => call('listClusterProfiles', [], { query: 'limit=100' }),
  profile: (name) => call('getClusterProfile', [name]),
  addProfile: (profile) => call('createClusterProfile', [], { body: profile }),
  keyPairs: (account, r) => call('listKeyPairs', [account, r]),
  zones: (account, r) => call('listAvailabilityZones', [account, r]),
  instanceTypes: (account, r, zone) => call('listInstanceTypes', [account, r], { query: `zone=${enc(zone)}` }),
  vpcs: (account, r) => call('listVpcs', [account, r]),
  subnets: (account, r, vpcId) => call('listSubnets', [account, r, vpcId]),
};

/** Puts each field error beside the input whose data-field names its path; returns those no input took. */
export function showFieldErrors(root, error) {
  clearFieldErrors(root);
  const unplaced = [];
  for (const { field, message } of error.fieldErrors ?? []) {
    const slot = [...root.querySelectorAll('[data-error-for]')].find((el) => el.dataset.errorFor === field)
      ?? [...root.querySelectorAll('[data-error-for]')].find((el) => el.dataset.errorFor
        && (field.startsWith(el.dataset.errorFor + '.') || field.startsWith(el.dataset.errorFor + '[')));
    if (slot) {
      slot.textContent = message;
      const input = root.querySelector(`[aria-describedby="${slot.id}"]`);
      input?.setAttribute('aria-invalid', 'true');
    } else unplaced.push(`${field}: ${message}`);
  }
  return unplaced;
}

export function clearFieldErrors(root) {
  for (const slot of root.querySelectorAll('[data-error-for]')) slot.textContent = '';
  for (const input of root.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
}
