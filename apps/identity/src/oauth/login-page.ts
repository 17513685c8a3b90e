/** The hosted-UI stand-in: a plain HTML sign-in form. Every reflected value goes through `escapeHtml`. */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:22rem;margin:4rem auto;padding:0 1rem}' +
  'label,input,button{display:block;width:100%;box-sizing:border-box;margin:.4rem 0}' +
  'input,button{padding:.5rem;font-size:1rem}.error{color:#b00020}.note{color:#555;font-size:.85rem}';

function page(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>`,
    `<body>${body}</body></html>`,
  ].join('\n');
}

export interface LoginFormOptions {
  /** The authorize request's parameters, carried through the form as hidden fields. */
  params: Record<string, string>;
  csrfToken: string;
  clientName: string;
  username?: string;
  error?: string;
}

export function renderLoginForm(options: LoginFormOptions): string {
  const hidden = Object.entries(options.params)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');
  const error = options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : '';
  return page(
    'Sign in',
    `<h1>Sign in</h1>
<p class="note">to ${escapeHtml(options.clientName)} — helpline local identity (development only)</p>
${error}
<form method="post" action="/login">
<input type="hidden" name="_csrf" value="${escapeHtml(options.csrfToken)}">
${hidden}
<label for="username">Email</label>
<input id="username" name="username" type="text" autocomplete="username" value="${escapeHtml(options.username ?? '')}" required>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`,
  );
}

export function renderErrorPage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p class="error">${escapeHtml(message)}</p>`);
}
