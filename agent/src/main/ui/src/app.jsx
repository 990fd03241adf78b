import { useState } from 'preact/hooks';
import { call, get } from './api.js';
import { Action, State, useData, Problem } from './parts.jsx';

const enc = encodeURIComponent;

/** An app: its queue, its workers and their load, read every second while it runs; start and pause. */
export function AppPage({ name, tick, down }) {
  const { data: a, error } = useData(() => get(`/v1/apps/${enc(name)}`), tick, 1000);
  const { data: profiles } = useData(() => get('/v1/profiles'), tick, 0);
  const [profile, setProfile] = useState('');
  if (!a) return <Problem error={error} />;
  const running = a.state !== 'stopped';
  const names = (profiles || []).map((p) => (typeof p === 'string' ? p : p.name));
  const chosen = profile || (a.runlist && (a.runlist.profile || a.runlist)) || names[0] || '';
  const q = a.queue;
  const cap = q ? q.capacity || Math.max(1, q.depth) : 1;
  return (
    <div id="app" data-name={name}>
      <p><a href="#/">← overview</a></p>
      <h1>{name}</h1>
      <Problem error={error} />
      <p>
        <State value={a.state} down={down} /> {a.profile ? `profile ${a.profile}` : ''} {a.reason ? ` - ${a.reason}` : ''}
      </p>
      <p class="actions">
        {!running && (
          <Action name="start" label="Start" disabled={down || !chosen} question={`Start ${name} with profile ${chosen}?`}
            run={() => call('POST', `/v1/running/${enc(name)}`, chosen, 'application/octet-stream')}>
            <label>profile{' '}
              <select id="profile" value={chosen} onChange={(e) => setProfile(e.target.value)}>
                {names.map((n) => <option key={n} value={n}>{n}</option>)}
              </select>
            </label>
          </Action>
        )}
        {running && (
          <Action name="pause" label="Pause" disabled={down} question={`Pause ${name}? Its workers stop; queued events are answered with an error.`}
            run={() => call('DELETE', `/v1/running/${enc(name)}`)} />
        )}
      </p>
      {q && (
        <>
          <h2>Queue</h2>
          <p id="queue">
            <span class="bar"><i style={{ width: `${Math.min(100, (100 * q.depth) / cap)}%` }} /></span> {q.depth} queued of {q.capacity || '∞'};{' '}
            {a.served} served{a.abandoned ? `, ${a.abandoned} abandoned` : ''}{a.crashes ? `, ${a.crashes} crashes` : ''}
          </p>
          <h2>Workers</h2>
          <table id="workers">
            <thead><tr><th>worker</th><th>state</th><th>pid</th><th>load</th><th>age</th></tr></thead>
            <tbody>
              {a.workers.length === 0 && <tr><td colspan="5" class="none">no workers (they start with the first events)</td></tr>}
              {a.workers.map((w) => (
                <tr key={w.id}>
                  <td>{w.id}</td>
                  <td><State value={w.state} down={down} /></td>
                  <td>{w.pid || ''}</td>
                  <td>{w.load}</td>
                  <td>{Math.round((w['age-ms'] || 0) / 1000)} s</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {a['last-crash'] && (
        <>
          <h2>Last crash</h2>
          <pre>{a['last-crash'].status}{'\n'}{(a['last-crash'].lines || []).join('\n')}</pre>
        </>
      )}
    </div>
  );
}
