// A cluster's estimated hourly cost: the API prices a spec in a change plan, so an empty merge patch
// run dry ({} with ?dryRun=true: nothing stored) answers the current estimate.
import { api } from './api.js';

export async function hourlyCost(cluster) {
  if (['Deleted', 'Deleting'].includes(cluster.status)) return null;
  try {
    const plan = await api.patch(cluster.name, {}, true);
    return plan.oldEstimatedHourlyCostUsd ?? null;
  } catch {
    return null;
  }
}

export const nodeCount = (cluster) => (cluster.status === 'Deleted' ? 0 : (cluster.nodePools ?? []).reduce((sum, p) => sum + (p.count ?? 0), 0));
