import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { clearToken, events, get, link, onLink, setToken, token, watchHealth, whenUnauthorized } from './api.js';
import { Banner, Login } from './parts.jsx';
import { Overview } from './overview.jsx';
import { ServicePage } from './service.jsx';
import { AppPage } from './app.jsx';
import { InstancePage } from './instance.jsx';
import './style.css';

/** Which page the address names: #/, #/services/NAME, #/apps/NAME, #/instances/UUID. */
function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'services' && parts[1]) return { page: 'service', name: parts[1] };
  if (parts[0] === 'apps' && parts[1]) return { page: 'app', name: parts[1] };
  if (parts[0] === 'instances' && parts[1]) return { page: 'instance', name: parts[1] };
  return { page: 'overview' };
}

function Root() {
  const [me, setMe] = useState(null);
  const [why, setWhy] = useState('');
  const [where, setWhere] = useState(route());
  const [conn, setConn] = useState({ ...link });
  const [tick, setTick] = useState(0); // bumped by each event: pages read again what they show

  useEffect(() => {
    const onHash = () => setWhere(route());
    addEventListener('hashchange', onHash);
    const unwatch = onLink(setConn);
    const stopHealth = watchHealth();
    whenUnauthorized((reason) => {
      clearToken();
      setMe(null);
      setWhy(reason);
    });
    return () => {
      removeEventListener('hashchange', onHash);
      unwatch();
      stopHealth();
    };
  }, []);

  // who the token is; asked again when the agent comes back
  useEffect(() => {
    if (!token() || me || conn.state === 'down') return;
    get('/v1/whoami').then(setMe, () => {});
  }, [me, conn.state]);

  // every change the agent streams makes the page read again (at most every 300 ms)
  useEffect(() => {
    if (!me) return;
    let pending = null;
    const bump = () => {
      if (pending) return;
      pending = setTimeout(() => {
        pending = null;
        setTick((t) => t + 1);
      }, 300);
    };
    const stop = events('/v1/events', bump, bump);
    return () => {
      stop();
      clearTimeout(pending);
    };
  }, [me]);

  // back from unreachable: everything shown is read again
  useEffect(() => {
    if (conn.state === 'up') setTick((t) => t + 1);
  }, [conn.state]);

  const login = async (t) => {
    setToken(t);
    try {
      setMe(await get('/v1/whoami'));
      setWhy('');
    } catch (e) {
      clearToken();
      setWhy(e.message);
    }
  };
  const logout = () => {
    clearToken();
    setMe(null);
    setWhy('');
  };

  const down = conn.state === 'down';
  return (
    <>
      <header>
        <a href="#/" class="brand">Steward</a>
        {me && (
          <span id="who">
            {me.name} ({me.role}) <button onClick={logout}>Log out</button>
          </span>
        )}
      </header>
      <Banner conn={conn} />
      {!me && !token() && <Login onLogin={login} why={why} />}
      {me && (
        <main class={down ? 'stale' : ''} data-stale={down ? 'true' : 'false'}>
          {where.page === 'overview' && <Overview tick={tick} down={down} />}
          {where.page === 'service' && <ServicePage key={where.name} name={where.name} tick={tick} down={down} />}
          {where.page === 'app' && <AppPage key={where.name} name={where.name} tick={tick} down={down} />}
          {where.page === 'instance' && <InstancePage key={where.name} uuid={where.name} tick={tick} down={down} />}
        </main>
      )}
    </>
  );
}

render(<Root />, document.getElementById('root'));
