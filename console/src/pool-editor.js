// One node pool's inputs, as the product doc lists them: name, zones, instance type, cost type,
// disk, count, the taint toggle with key, value and effect, the node labels, and how the pool rolls
// (maxSurge, maxUnavailable) and heals (health check). Used by the wizard and the day-2 edits.
import { h, field, parsePairs, pairLines, intOrPercent } from './dom.js';
import { api } from './api.js';
import { singleChoice, multiChoice, optionsFrom } from './choices.js';

const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/**
 * pool: the NodePoolSpec to start from; prefix: the JSON path of the pool in API errors ('nodePools[1]' or '');
 * cloud(): {account, region} for the dropdowns.
 */
export function poolEditor(pool, { prefix, cloud, onRemove, lockName }) {
  const path = (name) => (prefix ? `${prefix}.${name}` : name);
  const label = pool.role === 'control-plane' ? 'Control plane pool' : 'Worker pool';
  const name = h('input', { name: 'pool-name', value: pool.name ?? '', required: true, autocomplete: 'off', readonly: lockName });
  const zones = multiChoice({ name: 'zones', placeholder: 'us-east-1a, us-east-1b' });
  zones.value = pool.availabilityZones ?? [];
  const instanceType = singleChoice({ name: 'instance-type', placeholder: 'm5.large' });
  instanceType.value = pool.instanceType ?? 'm5.large';
  const capacity = h('select', { name: 'capacity-type', onchange: () => syncSpot() },
    h('option', { value: 'on-demand' }, 'On-demand'), h('option', { value: 'spot' }, 'Spot'));
  capacity.value = pool.capacityType ?? 'on-demand';
  const maxSpot = h('input', { name: 'max-spot-price', type: 'number', step: '0.0001', min: '0', value: pool.maxSpotPrice ?? '' });
  const spotField = field('Maximum spot price (USD per hour)', maxSpot, { field: path('maxSpotPrice') });
  const disk = h('input', { name: 'disk', type: 'number', min: '1', value: pool.diskSizeGiB ?? 65 });
  const count = h('input', { name: 'count', type: 'number', min: '1', value: pool.count ?? 1 });
  const taint = pool.taints?.[0];
  const taintOn = h('input', { type: 'checkbox', name: 'taint', role: 'switch', checked: !!taint, onchange: () => syncTaint() });
  const taintKey = h('input', { name: 'taint-key', value: taint?.key ?? '', autocomplete: 'off' });
  const taintValue = h('input', { name: 'taint-value', value: taint?.value ?? '', autocomplete: 'off' });
  const taintEffect = h('select', { name: 'taint-effect' }, EFFECTS.map((e) => h('option', { value: e }, e)));
  taintEffect.value = taint?.effect ?? 'NoSchedule';
  const taintFields = h('div', { class: 'row' },
    field('Key', taintKey, { field: path('taints[0].key') }),
    field('Value', taintValue, { field: path('taints[0].value') }),
    field('Effect', taintEffect, { field: path('taints[0].effect') }));
  const labels = h('textarea', { name: 'labels', rows: 2, placeholder: 'tier=apps\nexample.com/team=web', value: pairLines(pool.labels) });
  const maxSurge = h('input', { name: 'max-surge', placeholder: '1', autocomplete: 'off', value: pool.updateStrategy?.maxSurge ?? '' });
  const maxUnavailable = h('input', { name: 'max-unavailable', placeholder: '0', autocomplete: 'off', value: pool.updateStrategy?.maxUnavailable ?? '' });
  const checkOn = h('input', { type: 'checkbox', name: 'health-check', checked: pool.healthCheck?.enabled !== false, onchange: () => syncCheck() });
  const maxUnhealthy = h('input', { name: 'max-unhealthy', placeholder: '100%', autocomplete: 'off', value: pool.healthCheck?.maxUnhealthy ?? '' });
  const startupTimeout = h('input', { name: 'node-startup-timeout', type: 'number', min: '0', max: '1440', placeholder: '10',
    value: pool.healthCheck?.nodeStartupTimeoutMinutes ?? '' });
  const checkFields = h('div', { class: 'row' },
    field('Max unhealthy (count or %)', maxUnhealthy, { field: path('healthCheck.maxUnhealthy'), hint: 'Remediation pauses above it' }),
    field('Node startup timeout (minutes)', startupTimeout, { field: path('healthCheck.nodeStartupTimeoutMinutes'), hint: '0 turns the startup check off' }));
  const prices = new Map();

  function syncSpot() { spotField.hidden = capacity.value !== 'spot'; }
  function syncTaint() { taintFields.hidden = !taintOn.checked; }
  function syncCheck() { checkFields.hidden = !checkOn.checked; }
  syncSpot();
  syncTaint();
  syncCheck();

  async function refreshInstanceTypes() {
    const { account, region } = cloud();
    const zone = zones.value[0];
    if (!account || !region || !zone) return;
    const options = await optionsFrom(() => api.instanceTypes(account, region, zone), (t) => {
      prices.set(t.instanceType, t.onDemandHourlyUsd);
      const price = t.onDemandHourlyUsd == null ? '' : ` · $${t.onDemandHourlyUsd}/h`;
      return { value: t.instanceType, label: `${t.instanceType} (${t.vcpus} vCPU, ${Math.round(t.memoryMiB / 1024)} GiB${price})` };
    });
    instanceType.setOptions(options);
  }

  const element = h('fieldset', { class: 'pool', 'data-pool': pool.name ?? '' },
    h('legend', {}, label),
    h('div', { class: 'row' },
      field('Pool name', name, { field: path('name') }),
      field('Number of nodes', count, { field: path('count'), hint: pool.role === 'control-plane' ? '1, 3 or 5' : '1 to 500' })),
    field('Availability zones', zones.input, { field: path('availabilityZones') }),
    h('div', { class: 'row' },
      field('Instance type', instanceType.input, { field: path('instanceType') }),
      field('Instance cost type', capacity, { field: path('capacityType') }),
      field('Disk size (GiB)', disk, { field: path('diskSizeGiB') })),
    spotField,
    h('label', { class: 'inline toggle' }, taintOn, ' Taint'),
    taintFields,
    field('Node labels (one per line, e.g. tier=apps)', labels, { field: path('labels') }),
    h('fieldset', {}, h('legend', {}, 'Rolling update'),
      pool.role === 'control-plane' ? h('p', { class: 'hint' }, 'The control-plane pool always replaces one node at a time (maxSurge 1, maxUnavailable 0).') : null,
      h('div', { class: 'row' },
        field('Max surge (count or %)', maxSurge, { field: path('updateStrategy.maxSurge'), hint: 'Nodes above the count during an update (1)' }),
        field('Max unavailable (count or %)', maxUnavailable, { field: path('updateStrategy.maxUnavailable'), hint: 'Nodes below the count during an update (0)' }))),
    h('fieldset', {}, h('legend', {}, 'Health check'),
      h('label', { class: 'inline toggle' }, checkOn, ' Replace failed nodes'),
      checkFields),
    onRemove ? h('button', { type: 'button', class: 'link danger', onclick: onRemove }, `Remove pool`) : null);
  // The choice controls put their input in the field; swap in the holders that can become dropdowns.
  zones.input.replaceWith(zones.element);
  zones.element.prepend(zones.input);
  instanceType.input.replaceWith(instanceType.element);
  instanceType.element.prepend(instanceType.input);

  return {
    element,
    /** Fills the zone and instance type dropdowns for the current account and region. */
    async refresh() {
      const { account, region } = cloud();
      if (!account || !region) return;
      const options = await optionsFrom(() => api.zones(account, region),
        (z) => ({ value: z.name, label: z.state && z.state !== 'available' ? `${z.name} (${z.state})` : z.name }));
      zones.setOptions(options, () => refreshInstanceTypes());
      await refreshInstanceTypes();
    },
    value() {
      const spec = {
        name: name.value.trim(),
        role: pool.role,
        count: Number(count.value),
        instanceType: instanceType.value,
        availabilityZones: zones.value,
        capacityType: capacity.value,
        diskSizeGiB: Number(disk.value),
      };
      if (capacity.value === 'spot' && maxSpot.value !== '') spec.maxSpotPrice = Number(maxSpot.value);
      const labelPairs = parsePairs(labels.value);
      if (Object.keys(labelPairs).length) spec.labels = labelPairs;
      // The toggle edits the first taint; any further ones (set through the API) are kept as they are.
      const edited = taintOn.checked
        ? [{ key: taintKey.value.trim(), ...(taintValue.value.trim() ? { value: taintValue.value.trim() } : {}), effect: taintEffect.value }]
        : [];
      const taints = [...edited, ...(pool.taints ?? []).slice(1)];
      if (taints.length > 0) spec.taints = taints;
      const surge = intOrPercent(maxSurge.value);
      const unavailable = intOrPercent(maxUnavailable.value);
      if (surge !== undefined || unavailable !== undefined) {
        spec.updateStrategy = { type: 'RollingUpdate', ...(surge !== undefined ? { maxSurge: surge } : {}), ...(unavailable !== undefined ? { maxUnavailable: unavailable } : {}) };
      }
      const unhealthy = intOrPercent(maxUnhealthy.value);
      const startup = startupTimeout.value.trim();
      if (!checkOn.checked) spec.healthCheck = { enabled: false };
      else if (unhealthy !== undefined || startup) {
        spec.healthCheck = { enabled: true, ...(unhealthy !== undefined ? { maxUnhealthy: unhealthy } : {}), ...(startup ? { nodeStartupTimeoutMinutes: Number(startup) } : {}) };
      }
      return spec;
    },
  };
}
