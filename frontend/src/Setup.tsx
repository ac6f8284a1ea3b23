/** First run: create the first administrator with the one-time setup token from the service log. */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { describeError, setup } from './api';
import { Field, FormMessage } from './Field';
import type { Strings } from './i18n';
import { PASSWORD_MIN_LENGTH, setupProblem } from './validation';

interface SetupProps {
  t: Strings;
  /** Token from ?setup= in the URL, or '' to type it in. */
  initialToken: string;
  /** Called after the administrator exists; the caller signs in with the same credentials. */
  onCreated: (username: string, password: string) => Promise<void>;
}

export function Setup({ t, initialToken, onCreated }: SetupProps) {
  const [token, setToken] = useState(initialToken);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const refs = {
    token: useRef<HTMLInputElement>(null),
    username: useRef<HTMLInputElement>(null),
    password: useRef<HTMLInputElement>(null),
    repeat: useRef<HTMLInputElement>(null),
  };

  useEffect(() => {
    // Focus the first field the person has to fill in (once, on mount).
    (initialToken ? refs.username : refs.token).current?.focus();
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const problem = setupProblem({ token, username, password, repeat });
    if (problem) {
      setError(
        problem.kind === 'token'
          ? t.errTokenMissing
          : problem.kind === 'username'
            ? t.errUsernameMissing
            : problem.kind === 'short'
              ? t.errPasswordShort(PASSWORD_MIN_LENGTH)
              : problem.kind === 'hasName'
                ? t.errPasswordHasName
                : t.errPasswordsDiffer,
      );
      refs[problem.field].current?.focus();
      return;
    }
    setBusy(true);
    setError('');
    try {
      await setup(token.trim(), username.trim(), password);
    } catch (err) {
      setError(describeError(err, t));
      setBusy(false);
      return;
    }
    await onCreated(username.trim(), password);
  };

  return (
    <section className="card auth-card" aria-labelledby="setup-heading">
      <h2 id="setup-heading">{t.setupHeading}</h2>
      <p>{t.setupIntro}</p>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        <Field
          ref={refs.token}
          label={t.setupToken}
          hint={initialToken && token === initialToken ? t.setupTokenFromLink : t.setupTokenHint}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          required
        />
        <Field
          ref={refs.username}
          label={t.username}
          hint={t.usernameHint}
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          minLength={2}
          maxLength={64}
          required
        />
        <Field
          ref={refs.password}
          label={t.password}
          hint={t.passwordHint}
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="new-password"
          minLength={PASSWORD_MIN_LENGTH}
          required
        />
        <Field
          ref={refs.repeat}
          label={t.passwordRepeat}
          type="password"
          value={repeat}
          onChange={(e) => setRepeat(e.target.value)}
          autoComplete="new-password"
          required
        />
        <FormMessage error={error} />
        <button type="submit" className="btn btn-primary" disabled={busy} aria-busy={busy}>
          {busy ? t.setupBusy : t.setupSubmit}
        </button>
      </form>
    </section>
  );
}
