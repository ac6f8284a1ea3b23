/** A labelled text input with an optional hint, wired up for screen readers. */
import { forwardRef, useId, type InputHTMLAttributes } from 'react';

interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> {
  label: string;
  hint?: string;
}

export const Field = forwardRef<HTMLInputElement, FieldProps>(function Field({ label, hint, ...input }, ref) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input ref={ref} id={id} aria-describedby={hintId} {...input} />
      {hint && (
        <p id={hintId} className="hint muted small">
          {hint}
        </p>
      )}
    </div>
  );
});

/** The error region of a form: always present so that screen readers announce changes. */
export function FormMessage({ error, info }: { error: string; info?: string }) {
  return (
    <div aria-live="assertive" aria-atomic="true">
      {error ? <p className="error">{error}</p> : info ? <p className="info">{info}</p> : null}
    </div>
  );
}
