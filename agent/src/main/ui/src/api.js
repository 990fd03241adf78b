// Calls to the agent's API with the tab's token, and what is known of the connection to it.
// The token lives in this tab's session storage only and goes as a bearer token (never a cookie).

const KEY = 'steward-token';
const watchers = new Set();

/** The connection: 'unknown' until the first answer, 'up', or 'down' (since: when it was lost). */
export const link = { state: 'unknown', since: null, lastUp: null };

export function onLink(fn) {
  watchers.add(fn);
  return () => watchers.delete(fn);
}

function setLink(state) {
  const now = new Date();
  if (state === 'up') link.lastUp = now;
  if (link.state === state) return;
  link.state = state;
  link.since = now;
  watchers.forEach((fn) => fn({ ...link }));
}

export const token = () => sessionStorage.getItem(KEY) || '';
export const setToken = (t) => sessionStorage.setItem(KEY, t);
export const clearToken = () => sessionStorage.removeItem(KEY);

export class ApiError extends Error {
  constructor(status, message, details) {
    super(message);
    this.status = status;
    this.details = details || [];
  }
}

let onUnauthorized = () => {};
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

function headers(extra) {
  return { Authorization: 'Bearer ' + token(), ...extra };
}

/** One call; a network failure marks the agent unreachable, a 401 asks for a token again. */
export async function call(method, path, body, type) {
  let r;
  try {
    r = await fetch(path, {
      method,
      headers: headers(body == null ? {} : { 'Content-Type': type || 'application/json' }),
      body: body == null ? undefined : body,
      signal: AbortSignal.timeout(15000),
    });
  } catch (e) {
    setLink('down');
    throw new ApiError(0, 'the agent cannot be reached');
  }
  setLink('up');
  const json = (r.headers.get('content-type') || '').includes('json');
  const data = json ? await r.json().catch(() => null) : await r.text();
  if (r.status === 401) {
    onUnauthorized((data && data.error) || 'this token is not valid');
    throw new ApiError(401, (data && data.error) || 'unauthorized');
  }
  if (!r.ok) throw new ApiError(r.status, (data && data.error) || r.statusText, data && data.details);
  return data;
}

export const get = (path) => call('GET', path);
export const post = (path, body, type) => call('POST', path, body, type);

/** Asks /v1/health (no token needed) every two seconds: the banner's source of truth. */
export function watchHealth() {
  let stop = false;
  const beat = async () => {
    while (!stop) {
      try {
        const r = await fetch('/v1/health', { signal: AbortSignal.timeout(3000), cache: 'no-store' });
        setLink(r.ok ? 'up' : 'down');
      } catch (e) {
        setLink('down');
      }
      await new Promise((res) => setTimeout(res, 2000));
    }
  };
  beat();
  return () => {
    stop = true;
  };
}

/**
 * Follows a streamed response (with the token, which EventSource cannot send), giving each line to
 * onLine; reconnects after a second when it ends or fails, unless stopped. onOpen(headers) may
 * return extra headers for the next connection (Last-Event-ID).
 */
export function follow(path, onLine, nextHeaders = () => ({}), onConnect = () => {}) {
  const ctrl = new AbortController();
  (async () => {
    while (!ctrl.signal.aborted) {
      try {
        const r = await fetch(typeof path === 'function' ? path() : path, { headers: headers(nextHeaders()), signal: ctrl.signal });
        if (r.status === 401) {
          onUnauthorized('this token is not valid');
          return;
        }
        if (r.ok && r.body) {
          setLink('up');
          onConnect();
          const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
          let rest = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            rest += value;
            let nl;
            while ((nl = rest.indexOf('\n')) >= 0) {
              onLine(rest.slice(0, nl));
              rest = rest.slice(nl + 1);
            }
          }
        }
      } catch (e) {
        if (ctrl.signal.aborted) return;
      }
      await new Promise((res) => setTimeout(res, 1000));
    }
  })();
  return () => ctrl.abort();
}

/** Server-Sent Events over follow(): each event as {id, type, data}; resumes after the last id seen. */
export function events(path, onEvent, onConnect) {
  let lastId = null;
  let ev = {};
  return follow(
    path,
    (line) => {
      if (line === '') {
        if (ev.data !== undefined) {
          if (ev.id != null) lastId = ev.id;
          try {
            onEvent({ id: ev.id, type: ev.type || 'message', data: JSON.parse(ev.data) });
          } catch (e) {
            /* not JSON: not an event of ours */
          }
        }
        ev = {};
      } else if (line.startsWith(':')) {
        // a comment (keep-alive)
      } else {
        const c = line.indexOf(':');
        const field = c < 0 ? line : line.slice(0, c);
        const value = c < 0 ? '' : line.slice(c + 1).replace(/^ /, '');
        if (field === 'id') ev.id = value;
        else if (field === 'event') ev.type = value;
        else if (field === 'data') ev.data = ev.data === undefined ? value : ev.data + '\n' + value;
      }
    },
    () => (lastId == null ? {} : { 'Last-Event-ID': lastId }),
    onConnect,
  );
}
