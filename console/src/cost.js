// A cluster's estimated hourly cost: the API prices a spec in a change plan, so an empty merge patch
// run dry ({} with ?dryRun=true: nothing stored) answers the current estimate. One ask per version
// of a cluster: the list and the details page poll, the spec changes far less often.
import { api } from './api.js';
import { permissions } from './auth.js';

const known = new Map();

export function hourlyCost(cluster) {
  // A dry-run change needs the right to change (editor or admin): a viewer sees no estimate.
  if (['Deleted', 'Deleting'].includes(cluster.status) || !permissions().write) return Promise.resolve(null);
  const key = `${cluster.name}@${cluster.uid}@${cluster.generation}`;
  if (!known.has(key)) {
    known.set(key, api.patch(cluster.name, {}, true).then((plan) => plan.oldEstimatedHourlyCostUsd ?? null, () => {
      known.delete(key);
      return null;
    }));
  }
  return known.get(key);
}

export const nodeCount = (cluster) => (cluster.status === 'Deleted' ? 0 : (cluster.nodePools ?? []).reduce((sum, p) => sum + (p.count ?? 0), 0));
