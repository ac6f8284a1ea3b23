/** Sign-in form; the service sets the HTTP-only session cookie on success. */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { describeError, login, type User } from './api';
import { Field, FormMessage } from './Field';
import type { Strings } from './i18n';

interface SignInProps {
  t: Strings;
  /** Shown above the form, e.g. "Your session has ended". */
  notice?: string;
  /** Error to show at once, e.g. when signing in right after setup failed. */
  initialError?: string;
  initialUsername?: string;
  onSignedIn: (user: User) => void;
}

export function SignIn({ t, notice, initialError = '', initialUsername = '', onSignedIn }: SignInProps) {
  const [username, setUsername] = useState(initialUsername);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(initialError);
  const userRef = useRef<HTMLInputElement>(null);
  const passRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    (initialUsername ? passRef : userRef).current?.focus();
  }, [initialUsername]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    if (!username.trim() || !password) {
      (username.trim() ? passRef : userRef).current?.focus();
      return;
    }
    setBusy(true);
    setError('');
    try {
      const user = await login(username.trim(), password);
      onSignedIn(user);
    } catch (err) {
      setError(describeError(err, t));
      setPassword('');
      setBusy(false);
      passRef.current?.focus();
    }
  };

  return (
    <section className="card auth-card" aria-labelledby="signin-heading">
      <h2 id="signin-heading">{t.signInHeading}</h2>
      {notice && <p className="info">{notice}</p>}
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        <Field
          ref={userRef}
          label={t.username}
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          maxLength={64}
          required
        />
        <Field
          ref={passRef}
          label={t.password}
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="current-password"
          required
        />
        <FormMessage error={error} />
        <button type="submit" className="btn btn-primary" disabled={busy} aria-busy={busy}>
          {busy ? t.signInBusy : t.signInSubmit}
        </button>
      </form>
    </section>
  );
}
