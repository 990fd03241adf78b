import { useEffect, useState } from 'preact/hooks';
import { events, get, post } from './api.js';
import { Action, State, ago, useData, Problem } from './parts.jsx';

const enc = encodeURIComponent;

/**
 * One open instance of a service with parts: its state and why, each part's state, restarts and last log lines,
 * its URL, its steps with their durations as they end, and Close. Read again at each event and every 2 s.
 */
export function InstancePage({ uuid, tick, down }) {
  const { data: i, error, status } = useInstance(uuid, tick);
  const steps = useSteps(uuid);
  const gone = status === 404;
  const ended = steps.filter((e) => e.type === 'dynamic').at(-1);
  return (
    <div id="instance" data-uuid={uuid}>
      <p>
        <a href="#/">← overview</a>
        {i && <> · <a href={`#/services/${enc(i.service)}`}>{i.service}</a></>}
      </p>
      <h1 class="uuid">{uuid}</h1>
      {gone ? (
        <p id="gone">
          No longer open{ended ? <>: <State value={ended.data.state} /> {ended.data.reason}</> : ''}.
        </p>
      ) : (
        <Problem error={error} />
      )}
      {i && !gone && <Summary i={i} down={down} />}
      {i && !gone && <Parts i={i} down={down} />}
      <Steps list={steps} />
    </div>
  );
}

/** GET /v1/dynamic/UUID at each tick and every 2 s, with the status of a failed read (404 once it is closed). */
function useInstance(uuid, tick) {
  const [status, setStatus] = useState(0);
  const r = useData(
    () =>
      get(`/v1/dynamic/${enc(uuid)}`).then(
        (v) => {
          setStatus(200);
          return v;
        },
        (e) => {
          if (e.status) setStatus(e.status);
          throw e;
        },
      ),
    tick,
    2000,
  );
  return { ...r, status };
}

function Summary({ i, down }) {
  return (
    <div class="summary">
      <p id="instance-state">
        <State value={i.state} down={down} /> {i.service}, opened by {i.owner} {ago(i.opened)}
        {i.reason && !down ? ` - ${i.reason}` : ''}
      </p>
      <p>
        {i.url && i.routed ? (
          <a id="instance-url" href={i.url}>{i.url}</a>
        ) : (
          <span id="instance-url" class="none">not routed yet</span>
        )}
        {i.path && i.routed ? <> (or <code>{i.path}</code> on the gateway)</> : ''}
      </p>
      <p class="actions">
        <Action name="close" label="Close" disabled={down} question={`Close ${i.uuid}? Its parts stop; its state is saved and its outputs kept as the service says.`}
          run={() => post(`/v1/dynamic/${enc(i.uuid)}/close`)} />
      </p>
    </div>
  );
}

/** Each part: its state, how often it was started again, its last log lines. */
function Parts({ i, down }) {
  const names = Object.keys(i.parts || {}).sort();
  return (
    <>
      <h2>Parts</h2>
      <table id="parts">
        <thead><tr><th>part</th><th>state</th><th>restarts</th><th>last log lines</th></tr></thead>
        <tbody>
          {names.map((n) => (
            <tr key={n} data-part={n}>
              <td>{n}</td>
              <td class="state"><State value={i.parts[n]} down={down} /></td>
              <td class="restarts">{(i.restarts || {})[n] || 0}</td>
              <td><pre class="log">{((i.logs || {})[n] || []).join('\n')}</pre></td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** The instance's steps and state changes as they come: those the agent kept, then each new one. */
function useSteps(uuid) {
  const [list, setList] = useState([]);
  useEffect(() => {
    const seen = new Set();
    setList([]);
    return events(`/v1/events?after=0&instance=${enc(uuid)}`, (e) => {
      if (seen.has(e.id) || (e.type !== 'step' && e.type !== 'dynamic')) return;
      seen.add(e.id);
      setList((l) => [...l, e].slice(-500));
    });
  }, [uuid]);
  return list;
}

function Steps({ list }) {
  return (
    <>
      <h2>Steps</h2>
      <table id="steps">
        <thead><tr><th>at</th><th>step</th><th>took</th><th></th></tr></thead>
        <tbody>
          {list.length === 0 && <tr><td colspan="4" class="none">no steps yet</td></tr>}
          {list.map((e) =>
            e.type === 'step' ? (
              <tr key={e.id} data-step={e.data.step} class={e.data.ok ? 'ok' : 'failed'}>
                <td><time>{new Date(e.data.at).toLocaleTimeString()}</time></td>
                <td class="step">{e.data.step}</td>
                <td class="millis">{e.data.millis} ms</td>
                <td>{e.data.ok ? 'done' : <span class="error">failed: {e.data.reason}</span>}</td>
              </tr>
            ) : (
              <tr key={e.id} data-state={e.data.state} class="change">
                <td><time>{new Date(e.data.at).toLocaleTimeString()}</time></td>
                <td colspan="3"><State value={e.data.state} />{e.data.reason ? ` ${e.data.reason}` : ''}</td>
              </tr>
            ),
          )}
        </tbody>
      </table>
    </>
  );
}
