// config.json is generated where the console is served: the local stack writes it on the fly,
// CDK deploys one with the API URL and the OIDC issuer and client the API's JWT authorizer trusts.
let config;

export async function loadConfig() {
  if (config) return config;
  const response = await fetch('config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const raw = await response.json();
  config = {
    apiUrl: (raw.apiUrl || window.location.origin).replace(/\/+$/, ''),
    auth: raw.auth ?? { mode: 'local' },
    pollMilliseconds: raw.pollMilliseconds ?? 2000,
  };
  return config;
}

export const currentConfig = () => config;
