import { useEffect, useState } from 'preact/hooks';

const time = (d) => (d ? d.toLocaleTimeString() : '');

/** The banner while the agent cannot be reached: what is below is no longer current. */
export function Banner({ conn }) {
  if (conn.state !== 'down') return null;
  return (
    <div id="banner" role="alert">
      The agent at {location.host} cannot be reached (since {time(conn.since)}); retrying every 2 s.
      {conn.lastUp ? ` Nothing below is current: it was last read at ${time(conn.lastUp)}.` : ''}
    </div>
  );
}

export function Login({ onLogin, why }) {
  const [value, setValue] = useState('');
  return (
    <form
      id="login"
      onSubmit={(e) => {
        e.preventDefault();
        onLogin(value.trim());
      }}
    >
      <h1>Log in</h1>
      <p>
        This agent needs a token. An admin makes one with <code>steward token create NAME</code>; on the agent's machine its
        first admin token is in <code>admin.token</code> in its data directory. It is kept in this tab only.
      </p>
      <input id="token" type="password" placeholder="stw_..." size="50" autocomplete="off" value={value} onInput={(e) => setValue(e.target.value)} />{' '}
      <button id="login-button" type="submit">Log in</button>
      {why && <p id="login-error" class="error">{why}</p>}
    </form>
  );
}

/** A state as a badge; while the agent is unreachable it is unknown (the last known one in its title). */
export function State({ value, down }) {
  if (down) return <span class="badge unknown" title={`last known: ${value}`}>unknown</span>;
  return <span class={'badge ' + (value || 'unknown')}>{value || 'unknown'}</span>;
}

/**
 * A button whose action is confirmed first: the question, then Cancel or the action's name.
 * run() returns a promise; its error is shown beside the button.
 */
export function Action({ label, question, run, disabled, name, children }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const go = async () => {
    setBusy(true);
    setError('');
    try {
      await run();
      setAsking(false);
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="action">
      <button data-action={name} disabled={disabled || busy} onClick={() => setAsking(true)}>{label}</button>
      {error && <span class="error" data-error={name}>{error}</span>}
      {asking && (
        <div class="modal" role="dialog" aria-modal="true">
          <div class="dialog">
            <p>{question}</p>
            {children}
            {error && <p class="error">{error}</p>}
            <button id="confirm-no" onClick={() => { setAsking(false); setError(''); }}>Cancel</button>{' '}
            <button id="confirm-yes" class="danger" disabled={busy} onClick={go}>{label}</button>
          </div>
        </div>
      )}
    </span>
  );
}

export const bytes = (n) => {
  if (n == null || n < 0) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
};

export const ago = (iso) => {
  if (!iso) return '';
  const s = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
};

export function Problem({ error }) {
  return error ? <p class="error">{error}</p> : null;
}

/** Reads with load() whenever tick changes and every `every` ms; keeps the last answer and the last error. */
export function useData(load, tick, every = 5000) {
  const [state, setState] = useState({ data: null, error: '' });
  useEffect(() => {
    let live = true;
    const read = () =>
      load().then(
        (data) => live && setState({ data, error: '' }),
        (e) => live && e.status !== 0 && setState((s) => ({ ...s, error: e.message })),
      );
    read();
    const t = every ? setInterval(read, every) : null;
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [tick]);
  return state;
}
