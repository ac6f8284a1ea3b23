/** "Signed in as <user> — <roles>" with a Sign out button, shown in the top bar. */
import { useState } from 'react';
import { describeRoles } from './access';
import { describeError, logout, type User } from './api';
import type { Lang, Strings } from './i18n';

interface AccountProps {
  t: Strings;
  lang: Lang;
  user: User;
  onSignedOut: () => void;
}

export function Account({ t, lang, user, onSignedOut }: AccountProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const signOut = async () => {
    setBusy(true);
    setError('');
    try {
      await logout();
      onSignedOut();
    } catch (err) {
      setError(describeError(err, t));
      setBusy(false);
    }
  };

  return (
    <div className="account">
      <p className="account-who" role="status">
        {t.signedInAs} <strong>{user.username}</strong>
        <span className="muted small account-roles">{describeRoles(user.roles, lang)}</span>
      </p>
      <button type="button" className="btn" onClick={() => void signOut()} disabled={busy} aria-busy={busy}>
        {t.signOut}
      </button>
      <div aria-live="assertive" className="account-error">
        {error && <p className="error small">{error}</p>}
      </div>
    </div>
  );
}
