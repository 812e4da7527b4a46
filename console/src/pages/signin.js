import { h, field } from '../dom.js';
import { currentConfig } from '../config.js';
import { signInLocal, beginOidcSignIn } from '../auth.js';

const ROLES = ['project-admin', 'project-editor', 'project-viewer', 'tenant-admin'];

export function signInPage() {
  const { auth } = currentConfig();
  const error = h('p', { class: 'error', role: 'alert' });
  const project = h('input', { name: 'project', required: true, value: 'demo', autocomplete: 'off' });

  if (auth.mode === 'oidc') {
    const form = h('form', {
      class: 'card narrow',
      onsubmit: async (e) => {
        e.preventDefault();
        try { await beginOidcSignIn(project.value.trim()); } catch (err) { error.textContent = err.message; }
      },
    }, h('h1', {}, 'Sign in'), field('Project', project), error,
      h('button', { type: 'submit', class: 'primary' }, 'Sign in with your identity provider'));
    return { title: 'Sign in', element: form };
  }

  const tenant = h('input', { name: 'tenant', required: true, value: 'acme', autocomplete: 'off' });
  const subject = h('input', { name: 'subject', required: true, value: 'console-user', autocomplete: 'username' });
  const role = h('select', { name: 'role' }, ROLES.map((r) => h('option', { value: r }, r)));
  const form = h('form', {
    class: 'card narrow',
    onsubmit: async (e) => {
      e.preventDefault();
      error.textContent = '';
      try {
        await signInLocal({ tenant: tenant.value.trim(), project: project.value.trim(), role: role.value, subject: subject.value.trim() });
        location.hash = '#/clusters';
      } catch (err) {
        error.textContent = err.message;
      }
    },
  },
  h('h1', {}, 'Sign in to the local stack'),
  h('p', { class: 'hint' }, 'The local stack issues a token for any tenant, project and role (it stands in for your identity provider).'),
  field('Tenant', tenant), field('Project', project), field('Role', role), field('User', subject), error,
  h('button', { type: 'submit', class: 'primary' }, 'Sign in'));
  return { title: 'Sign in', element: form };
}
