import { useState } from 'preact/hooks';
import { errorText, post } from '../api.ts';

/** E-mail + password, or the admin token (the first login of a new install). */
export function LoginPage(props: { onLogin: () => void; invite?: string }) {
  const [mode, setMode] = useState<'password' | 'token'>(props.invite ? 'password' : 'password');
  const [email, setEmail] = useState('');
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<string>();
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      if (props.invite) await post('auth/invite/accept', { invite: props.invite, password: secret });
      else await post('auth/login', mode === 'token' ? { token: secret } : { email, password: secret });
      props.onLogin();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <main class="login">
      <form class="panel" onSubmit={submit}>
        <h1>
          <span class="dot" /> Sightline
        </h1>
        {props.invite ? (
          <p>Choose a password (at least 10 characters) to accept your invitation.</p>
        ) : (
          <div class="tabs" role="tablist">
            <button
              type="button"
              role="tab"
              aria-selected={mode === 'password'}
              onClick={() => setMode('password')}
            >
              Account
            </button>
            <button
              type="button"
              role="tab"
              aria-selected={mode === 'token'}
              onClick={() => setMode('token')}
            >
              Admin token
            </button>
          </div>
        )}
        {!props.invite && mode === 'password' && (
          <label>
            E-mail
            <input
              type="email"
              name="email"
              autocomplete="username"
              required
              value={email}
              onInput={(e) => setEmail((e.target as HTMLInputElement).value)}
            />
          </label>
        )}
        <label>
          {mode === 'token' && !props.invite ? 'Admin token' : 'Password'}
          <input
            type="password"
            name="secret"
            autocomplete={props.invite ? 'new-password' : 'current-password'}
            required
            value={secret}
            onInput={(e) => setSecret((e.target as HTMLInputElement).value)}
          />
        </label>
        {mode === 'token' && !props.invite && (
          <p class="muted">Printed at first start and kept in &lt;data dir&gt;/admin-token.</p>
        )}
        {error && (
          <p class="state error" role="alert">
            {error}
          </p>
        )}
        <button type="submit">{props.invite ? 'Set password' : 'Log in'}</button>
      </form>
    </main>
  );
}
