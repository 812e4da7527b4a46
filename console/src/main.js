// Hash routes, so a static host serves every page from index.html:
// #/signin, #/clusters, #/clusters/new, #/clusters/{name}, #/profiles.
import { loadConfig } from './config.js';
import { session, signOut, completeOidcSignIn } from './auth.js';
import { h, replace } from './dom.js';
import { signInPage } from './pages/signin.js';
import { clustersPage } from './pages/clusters.js';
import { wizardPage } from './pages/wizard.js';
import { detailsPage } from './pages/details.js';
import { profilesPage } from './pages/profiles.js';

const app = document.getElementById('app');
let leave = null;

function renderNav() {
  const s = session();
  replace(document.getElementById('nav'), s
    ? [h('a', { href: '#/clusters' }, 'Clusters'),
       h('a', { href: '#/profiles' }, 'Profiles'),
       h('span', { class: 'who' }, `${s.subject} · ${s.tenant} / ${s.project}`),
       h('button', { type: 'button', class: 'link', onclick: () => { signOut(); location.hash = '#/signin'; } }, 'Sign out')]
    : []);
}

async function route() {
  if (leave) leave();
  leave = null;
  const path = location.hash.replace(/^#/, '') || '/clusters';
  renderNav();
  if (!session() && path !== '/signin') {
    location.hash = '#/signin';
    return;
  }
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  let page;
  if (parts[0] === 'signin') page = signInPage();
  else if (parts[0] === 'clusters' && parts[1] === 'new') page = wizardPage();
  else if (parts[0] === 'clusters' && parts[1]) page = detailsPage(parts[1]);
  else if (parts[0] === 'profiles') page = profilesPage();
  else page = clustersPage();
  replace(app, page.element);
  leave = page.leave ?? null;
  document.title = `${page.title ?? 'Console'} · PaletteServerless`;
  app.focus({ preventScroll: true });
}

window.addEventListener('hashchange', route);
window.addEventListener('palette:unauthorized', () => { signOut(); location.hash = '#/signin'; });

try {
  await loadConfig();
  await completeOidcSignIn();
  await route();
} catch (error) {
  replace(app, h('p', { class: 'error', role: 'alert' }, `The console could not start: ${error.message}`));
}
