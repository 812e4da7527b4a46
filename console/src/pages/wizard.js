// Deploy New Cluster, the product doc's wizard, its steps in its order: basic information, cluster
// profile, pack parameters, cluster configuration (account, region, key pair, placement, parallel
// worker updates), node pools, settings, then Validate (the dry run's plan and cost) and Finish.
// Every step stays in the page while hidden, so nothing typed is lost going back or on an error.
import { h, replace, field, money, parsePairs } from '../dom.js';
import { api, showFieldErrors, clearFieldErrors } from '../api.js';
import { singleChoice, multiChoice, optionsFrom } from '../choices.js';
import { poolEditor } from '../pool-editor.js';
import { settingsEditor } from '../settings-editor.js';

const STEPS = ['Basic information', 'Cluster profile', 'Parameters', 'Cluster configuration', 'Node pools', 'Settings', 'Review'];

export function wizardPage() {
  let step = 0;
  const sections = [];
  const general = h('div', { class: 'error', role: 'alert' });
  const stepList = h('ol', { class: 'steps' });
  const back = h('button', { type: 'button', onclick: () => go(step - 1) }, 'Back');
  const next = h('button', { type: 'button', class: 'primary', onclick: () => onNext() }, 'Next');
  const root = h('form', { class: 'wizard', novalidate: true, onsubmit: (e) => e.preventDefault() });

  // 1. Basic information
  const name = h('input', { name: 'name', required: true, autocomplete: 'off', placeholder: 'my-cluster' });
  const description = h('textarea', { name: 'description', rows: 2 });
  const tags = h('textarea', { name: 'tags', rows: 2, placeholder: 'team=platform\ncost-center=42' });
  const account = singleChoice({ name: 'cloud-account', placeholder: 'main' });
  sections.push(h('section', {},
    field('Cluster name', name, { field: 'name', hint: 'Lowercase letters, digits and -, 3 to 63 characters' }),
    field('Description', description, { field: 'description' }),
    field('Tags (key=value, one per line)', tags, { field: 'tags', hint: 'Put on every AWS resource of the cluster, VMs included' }),
    field('Cloud account', account.input, { field: 'cloudAccount' })));
  account.input.replaceWith(account.element);
  account.element.prepend(account.input);
  optionsFrom(() => api.cloudAccounts(), (a) => ({ value: a.name, label: a.accountId ? `${a.name} (${a.accountId})` : a.name }))
    .then((options) => { account.setOptions(options, () => refreshCloud()); if (options?.length === 1) account.value = options[0].value; });

  // 2. Cluster profile
  let profiles = [];
  const profile = h('select', { name: 'profile', onchange: () => renderPacks() });
  sections.push(h('section', {}, field('Cluster profile', profile, { field: 'profile' })));
  api.profiles().then((list) => {
    profiles = list.items;
    replace(profile, h('option', { value: '' }, '— choose —'), profiles.map((p, i) => h('option', { value: String(i) }, `${p.name} ${p.version}`)));
    if (profiles.length === 1) { profile.value = '0'; renderPacks(); }
  }).catch((err) => { general.textContent = `cluster profiles: ${err.message}`; });

  // 3. Parameters: one YAML editor per pack, starting from the profile's values.
  const packs = h('div', {});
  let packEditors = [];
  sections.push(h('section', {}, h('p', { class: 'hint' }, "Each pack's values, YAML, as the profile sets them. Changes override the profile for this cluster."), packs));
  function renderPacks() {
    const chosen = profiles[Number(profile.value)];
    packEditors = (chosen?.packs ?? []).map((pack) => {
      const editor = h('textarea', { class: 'yaml', rows: 6, spellcheck: 'false', name: `pack-${pack.name}`, value: pack.values ?? '' });
      return { pack, editor, element: field(`${pack.layer} · ${pack.name} ${pack.version}`, editor, { field: `profile.packValues.${pack.name}` }) };
    });
    replace(packs, packEditors.length ? packEditors.map((p) => p.element) : h('p', {}, 'Choose a cluster profile first.'));
  }
  renderPacks();

  // 4. Cluster configuration
  const region = h('input', { name: 'region', value: 'us-east-1', autocomplete: 'off', onchange: () => refreshCloud() });
  const keyPair = singleChoice({ name: 'ssh-key', placeholder: 'my-key' });
  const staticPlacement = h('input', { type: 'checkbox', name: 'static-placement', onchange: () => syncPlacement() });
  const vpc = singleChoice({ name: 'vpc', placeholder: 'vpc-0123456789abcdef0' });
  const cpSubnets = multiChoice({ name: 'cp-subnets', placeholder: 'subnet-…, subnet-…' });
  const workerSubnets = multiChoice({ name: 'worker-subnets', placeholder: 'subnet-…, subnet-…' });
  const vpcCidr = h('input', { name: 'vpc-cidr', value: '10.0.0.0/16', autocomplete: 'off' });
  const apiScheme = h('select', { name: 'api-load-balancer' },
    h('option', { value: 'internet-facing' }, 'Internet-facing'), h('option', { value: 'internal' }, 'Internal (reachable from the VPC only)'));
  const parallel = h('input', { type: 'checkbox', name: 'parallel' });
  const placement = h('div', {},
    field('VPC', vpc.input, { field: 'cloud.placement.vpcId' }),
    field('Control plane subnets', cpSubnets.input, { field: 'cloud.placement.controlPlaneSubnetIds' }),
    field('Worker subnets', workerSubnets.input, { field: 'cloud.placement.workerSubnetIds' }));
  const dynamicPlacement = field('New VPC CIDR', vpcCidr, { field: 'cloud.vpcCidr' });
  sections.push(h('section', {},
    field('Region', region, { field: 'cloud.region' }),
    field('SSH key pair', keyPair.input, { field: 'cloud.sshKeyName' }),
    h('label', { class: 'inline toggle' }, staticPlacement, ' Static placement (use an existing VPC and subnets)'),
    dynamicPlacement, placement,
    field('Kubernetes API load balancer', apiScheme, { field: 'cloud.apiLoadBalancer', hint: 'Fixed once the cluster is created' }),
    h('label', { class: 'inline toggle' }, parallel, ' Update worker pools in parallel')));
  for (const c of [keyPair, vpc, cpSubnets, workerSubnets]) { c.input.replaceWith(c.element); c.element.prepend(c.input); }
  function syncPlacement() { placement.hidden = !staticPlacement.checked; dynamicPlacement.hidden = staticPlacement.checked; }
  syncPlacement();
  const cloud = () => ({ account: account.value, region: region.value.trim() });

  async function refreshCloud() {
    const { account: a, region: r } = cloud();
    if (!a || !r) return;
    const [keys, vpcs] = await Promise.all([
      optionsFrom(() => api.keyPairs(a, r), (k) => ({ value: k.name, label: `${k.name} (${k.keyType ?? 'rsa'})` })),
      optionsFrom(() => api.vpcs(a, r), (v) => ({ value: v.vpcId, label: `${v.name ? `${v.name} · ` : ''}${v.vpcId} ${v.cidrBlock}${v.isDefault ? ' (default)' : ''}` })),
    ]);
    keyPair.setOptions(keys);
    vpc.setOptions(vpcs, () => refreshSubnets());
    await refreshSubnets();
  }
  async function refreshSubnets() {
    const { account: a, region: r } = cloud();
    if (!a || !r || !vpc.value) return;
    const subnets = await optionsFrom(() => api.subnets(a, r, vpc.value),
      (s) => ({ value: s.subnetId, label: `${s.name ? `${s.name} · ` : ''}${s.subnetId} ${s.availabilityZone} ${s.cidrBlock}${s.mapPublicIpOnLaunch ? ' public' : ' private'}` }));
    cpSubnets.setOptions(subnets);
    workerSubnets.setOptions(subnets);
  }

  // 5. Node pools: a control-plane and a worker pool by default.
  const poolList = h('div', {});
  const pools = [];
  const addWorker = h('button', { type: 'button', onclick: () => addPool({ name: `workers-${pools.length}`, role: 'worker', count: 1 }) }, 'Add worker pool');
  sections.push(h('section', {}, poolList, addWorker));
  function addPool(spec) {
    pools.push({ spec });
    renderPools();
  }
  function removePool(entry) {
    pools.splice(pools.indexOf(entry), 1);
    renderPools();
  }
  function renderPools() {
    // An editor is made again when its pool moved, so that its error paths (nodePools[i]) follow its position.
    for (const [i, entry] of pools.entries()) {
      if (entry.index === i) continue;
      const spec = entry.editor ? entry.editor.value() : entry.spec;
      entry.editor = poolEditor(spec, { prefix: `nodePools[${i}]`, cloud, onRemove: spec.role === 'worker' && i > 1 ? () => removePool(entry) : null });
      entry.index = i;
      entry.editor.refresh();
    }
    replace(poolList, pools.map((p) => p.editor.element));
  }
  addPool({ name: 'control-plane', role: 'control-plane', count: 1, instanceType: 'm5.large' });
  addPool({ name: 'workers', role: 'worker', count: 1, instanceType: 'm5.large' });

  // 6. Settings
  const settingsForm = settingsEditor();
  sections.push(h('section', {}, settingsForm.element));

  // 7. Review: the dry run's plan and cost, then Finish.
  const review = h('div', {});
  sections.push(h('section', {}, review));
  let validated = null;

  function spec() {
    const chosen = profiles[Number(profile.value)];
    const packValues = {};
    for (const { pack, editor } of packEditors) if (editor.value !== (pack.values ?? '')) packValues[pack.name] = editor.value;
    const cloudSpec = { region: region.value.trim(), sshKeyName: keyPair.value };
    if (apiScheme.value !== 'internet-facing') cloudSpec.apiLoadBalancer = apiScheme.value;
    if (staticPlacement.checked) {
      cloudSpec.placement = { mode: 'static', vpcId: vpc.value, controlPlaneSubnetIds: cpSubnets.value, workerSubnetIds: workerSubnets.value };
    } else if (vpcCidr.value.trim() && vpcCidr.value.trim() !== '10.0.0.0/16') cloudSpec.vpcCidr = vpcCidr.value.trim();
    const settings = settingsForm.value();
    const result = {
      name: name.value.trim(),
      cloudAccount: account.value,
      profile: chosen ? { name: chosen.name, version: chosen.version, ...(Object.keys(packValues).length ? { packValues } : {}) } : undefined,
      cloud: cloudSpec,
      updateWorkerPoolsInParallel: parallel.checked,
      nodePools: pools.map((p) => p.editor.value()),
    };
    if (description.value.trim()) result.description = description.value.trim();
    const tagPairs = parsePairs(tags.value);
    if (Object.keys(tagPairs).length) result.tags = tagPairs;
    if (Object.keys(settings).length) result.settings = settings;
    return result;
  }

  /** Builds the spec, or shows why the console itself cannot (RBAC that is not JSON). */
  function specOrShowError() {
    try {
      return spec();
    } catch (err) {
      const unplaced = showFieldErrors(root, { fieldErrors: [{ field: 'settings.rbac', message: `not JSON: ${err.message}` }] });
      general.textContent = unplaced.join('\n');
      go(5);
      return null;
    }
  }

  /** Shows a 400's (or a 403's) field errors beside their inputs and opens the first step that holds one. */
  function showProblem(err) {
    const unplaced = showFieldErrors(root, err);
    general.textContent = unplaced.length ? unplaced.join('\n') : (err.fieldErrors.length ? 'Fix the fields marked below.' : err.message);
    const first = root.querySelector('[aria-invalid="true"]');
    const at = first ? sections.findIndex((s) => s.contains(first)) : -1;
    if (at >= 0) { go(at); first.focus(); }
  }

  async function validate() {
    clearFieldErrors(root);
    general.textContent = '';
    const body = specOrShowError();
    if (!body) return;
    next.disabled = true;
    try {
      validated = { body, result: await api.dryRunCreate(body) };
      renderReview();
      go(6);
    } catch (err) {
      showProblem(err);
    } finally {
      next.disabled = false;
    }
  }

  function renderReview() {
    const { body, result } = validated;
    const plan = result.plan;
    replace(review,
      h('h2', {}, 'Plan'),
      h('p', { class: 'cost', 'data-testid': 'estimated-cost' }, `Estimated cost: ${money(plan.estimatedHourlyCostUsd)}`),
      plan.unpricedInstanceTypes?.length ? h('p', { class: 'hint' }, `Not priced: ${plan.unpricedInstanceTypes.join(', ')}`) : null,
      result.preflight.length
        ? h('div', { class: 'error', role: 'alert' }, h('strong', {}, 'Preflight found problems:'), h('ul', {}, result.preflight.map((p) => h('li', {}, p))))
        : h('p', { class: 'ok' }, 'Preflight passed: the account, key pair, zones, instance types and quotas allow this cluster.'),
      h('div', { class: 'scroll' }, h('table', { class: 'list plan' },
        h('thead', {}, h('tr', {}, ['Resource', 'Name', 'Count', 'Hourly cost', 'Detail'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, plan.resources.map((r) => h('tr', {}, h('td', {}, r.kind), h('td', {}, r.name), h('td', { class: 'num' }, r.count),
          h('td', { class: 'num' }, money(r.hourlyCostUsd)), h('td', {}, r.detail ?? '')))))),
      plan.packs?.length
        ? h('p', { class: 'hint', 'data-testid': 'plan-packs' },
          `Packs: ${plan.packs.map((p) => `${p.name} ${p.version}${p.implied ? ' (every cluster)' : ''}`).join(', ')}`)
        : null,
      h('h2', {}, 'Summary'),
      h('dl', { class: 'summary' },
        h('dt', {}, 'Name'), h('dd', {}, body.name),
        h('dt', {}, 'Cloud account'), h('dd', {}, body.cloudAccount),
        h('dt', {}, 'Profile'), h('dd', {}, `${body.profile?.name} ${body.profile?.version}`),
        h('dt', {}, 'Region'), h('dd', {}, body.cloud.region),
        h('dt', {}, 'API load balancer'), h('dd', {}, body.cloud.apiLoadBalancer ?? 'internet-facing'),
        h('dt', {}, 'Node pools'), h('dd', {}, body.nodePools.map((p) => `${p.name}: ${p.count} × ${p.instanceType}`).join('; '))));
  }

  async function finish() {
    next.disabled = true;
    general.textContent = '';
    try {
      const created = await api.create(validated.body);
      location.hash = `#/clusters/${encodeURIComponent(created.name)}`;
    } catch (err) {
      showProblem(err);
    } finally {
      next.disabled = false;
    }
  }

  function onNext() {
    if (step === 5) validate();
    else if (step === 6) finish();
    else go(step + 1);
  }

  function go(to) {
    step = Math.max(0, Math.min(to, validated ? 6 : 5));
    if (step === 1 || step === 3) refreshCloud();
    if (step === 4) for (const p of pools) p.editor.refresh();
    sections.forEach((s, i) => { s.hidden = i !== step; });
    replace(stepList, STEPS.map((label, i) => h('li', { class: i === step ? 'current' : '', 'aria-current': i === step ? 'step' : null }, label)));
    back.disabled = step === 0;
    next.textContent = step === 5 ? 'Validate' : step === 6 ? 'Finish Configuration' : 'Next';
    next.disabled = step === 6 && validated && !validated.result.valid;
  }

  // Any change after a validation needs a new one before Finish.
  root.addEventListener('input', () => { if (validated && step !== 6) validated = null; });
  root.append(stepList, h('h1', {}, 'Deploy New Cluster · AWS'), general, ...sections, h('div', { class: 'actions' }, back, next));
  go(0);
  return { title: 'New cluster', element: root };
}
