// The product API with the signed-in user's bearer token. Errors are RFC 9457 problem details:
// ApiError keeps them so a page can put each `errors[].field` message beside its input.
import { currentConfig } from './config.js';
import { session } from './auth.js';

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
const project = () => `/v1/projects/${enc(session().project)}`;
const cluster = (name) => `${project()}/clusters/${enc(name)}`;
const region = (account, r) => `${project()}/cloudaccounts/${enc(account)}/regions/${enc(r)}`;

export const api = {
  listClusters: (includeDeleted) => request('GET', `${project()}/clusters?limit=100${includeDeleted ? '&includeDeleted=true' : ''}`),
  getCluster: (name) => request('GET', `${cluster(name)}?includeDeleted=true`),
  events: (name) => request('GET', `${cluster(name)}/events?limit=100`),
  nodePools: (name) => request('GET', `${cluster(name)}/nodepools`),
  kubeconfig: (name) => request('GET', `${cluster(name)}/kubeconfig`),
  kubeconfigs: (name) => request('GET', `${cluster(name)}/kubeconfigs?limit=100`),
  dryRunCreate: (spec) => request('POST', `${project()}/clusters?dryRun=true`, spec),
  create: (spec) => request('POST', `${project()}/clusters`, spec),
  remove: (name, confirm) => request('DELETE', `${cluster(name)}?confirm=${enc(confirm)}`),
  forceDelete: (name) => request('POST', `${cluster(name)}/force-delete`),
  patch: (name, patch, dryRun) => request('PATCH', `${cluster(name)}${dryRun ? '?dryRun=true' : ''}`, patch),
  addPool: (name, pool, dryRun) => request('POST', `${cluster(name)}/nodepools${dryRun ? '?dryRun=true' : ''}`, pool),
  replacePool: (name, pool, dryRun) => request('PUT', `${cluster(name)}/nodepools/${enc(pool.name)}${dryRun ? '?dryRun=true' : ''}`, pool),
  cloudAccounts: () => request('GET', `${project()}/cloudaccounts?limit=100`),
  profiles: () => request('GET', `${project()}/clusterprofiles?limit=100`),
  profile: (name) => request('GET', `${project()}/clusterprofiles/${enc(name)}`),
  addProfile: (profile) => request('POST', `${project()}/clusterprofiles`, profile),
  keyPairs: (account, r) => request('GET', `${region(account, r)}/keypairs`),
  zones: (account, r) => request('GET', `${region(account, r)}/availabilityzones`),
  instanceTypes: (account, r, zone) => request('GET', `${region(account, r)}/instancetypes?zone=${enc(zone)}`),
  vpcs: (account, r) => request('GET', `${region(account, r)}/vpcs`),
  subnets: (account, r, vpcId) => request('GET', `${region(account, r)}/vpcs/${enc(vpcId)}/subnets`),
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
