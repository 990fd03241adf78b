import { useEffect, useRef, useState } from 'preact/hooks';
import { events, follow, get, post } from './api.js';
import { Action, State, ago, bytes, useData, Problem } from './parts.jsx';
import { Opened, ServiceActions } from './overview.jsx';
import { Plot } from './plot.jsx';

const enc = encodeURIComponent;

export function ServicePage({ name, tick, down }) {
  const { data: s, error } = useData(() => get(`/v1/services/${enc(name)}`), tick);
  return (
    <div id="service" data-name={name}>
      <p><a href="#/">← overview</a></p>
      <h1>{name}</h1>
      <Problem error={error} />
      {s && <Summary s={s} down={down} />}
      {s && (s.opened ? <OpenInstances s={s} down={down} /> : <Instances s={s} down={down} />)}
      <Plots name={name} down={down} />
      <div class="columns">
        <Timeline name={name} />
        <Logs name={name} />
      </div>
    </div>
  );
}

function Summary({ s, down }) {
  const [count, setCount] = useState(String(s.wanted || 1));
  const p = `/v1/services/${enc(s.name)}`;
  return (
    <div class="summary">
      <p>
        <State value={s.state} down={down} /> <State value={s.health} down={down} /> {s.kind}, {s.policy}
        {!down && ` - wants ${s.wanted} (${s['wanted-by'] || ''})`}
        {s.reason && !down ? ` - ${s.reason}` : ''}
      </p>
      <p class="actions">
        <ServiceActions s={s} down={down} />
        {s.opened ? (
          <Action name="open" label="Open" disabled={down} question={`Open a new instance of ${s.name}? Its parts start in a network of their own.`}
            run={() => post(`${p}/open`)} />
        ) : (
          <Action name="scale" label="Scale" disabled={down} question={`Run ${count} instance(s) of ${s.name}?`}
            run={() => {
              const n = Number(count);
              if (!Number.isInteger(n) || n < 0) return Promise.reject(new Error(`instances: '${count}' (expected: a whole number, 0 or more)`));
              return post(`${p}/start?instances=${n}`);
            }}>
            <label>instances <input id="scale-count" type="number" min="0" value={count} onInput={(e) => setCount(e.target.value)} /></label>
          </Action>
        )}
      </p>
    </div>
  );
}

/** A service with parts runs nothing of its own: its open instances, each closed from here. */
function OpenInstances({ s, down }) {
  return (
    <>
      <h2>Open instances</h2>
      <Opened rows={s.opened} down={down} none={`no open instance: Open starts one (or steward service open ${s.name})`} />
    </>
  );
}

function Instances({ s, down }) {
  return (
    <>
      <h2>Instances</h2>
      <table id="instances">
        <thead><tr><th>instance</th><th>state</th><th>node</th><th>pid</th><th>port</th><th>started</th><th>restarts</th><th>cpu</th><th>memory</th><th>pids</th></tr></thead>
        <tbody>
          {s.instances.length === 0 && <tr><td colspan="10" class="none">no instances</td></tr>}
          {s.instances.map((i) => {
            const u = i.usage || {};
            const cpu = u['cpu-nanos'];
            return (
              <tr key={i.id} data-instance={i.id}>
                <td>{i.id}</td>
                <td><State value={i.state} down={down} /></td>
                <td>{i.node}</td>
                <td class="pid">{i.pid || ''}</td>
                <td class="port">{i.port || ''}</td>
                <td>{ago(i.started)}</td>
                <td>{i.restarts}</td>
                <td>{cpu != null ? `${(cpu / 1e9).toFixed(2)} s` : ''}</td>
                <td>{bytes(u['memory-bytes'])}</td>
                <td>{u.pids ?? ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}

/** The last hour, kept by the agent at one-second resolution; read again every two seconds. */
function Plots({ name, down }) {
  const [d, setD] = useState(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    const read = () =>
      get(`/v1/services/${enc(name)}/series?seconds=3600`).then(
        (r) => {
          if (!live) return;
          const t = r.requests.map((_, k) => r.from + k);
          setD({ t, r });
          setError('');
        },
        (e) => live && e.status !== 0 && setError(e.message),
      );
    read();
    const timer = setInterval(read, 2000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [name]);
  return (
    <div id="plots" class={down ? 'stale' : ''}>
      <h2>The last hour</h2>
      <Problem error={error} />
      {d && (
        <div class="plots">
          <Plot id="plot-rate" title="requests per second" data={[d.t, d.r.requests]} series={[{ label: 'req/s', color: '#0969da' }]} />
          <Plot id="plot-latency" title="latency (ms)" data={[d.t, d.r['p50-ms'], d.r['p99-ms']]}
            series={[{ label: 'p50', color: '#1a7f37' }, { label: 'p99', color: '#cf222e' }]} />
          <Plot id="plot-instances" title="instances" data={[d.t, d.r.instances]} series={[{ label: 'live', color: '#8250df' }]} />
        </div>
      )}
    </div>
  );
}

/** The service's events as they come: those the agent kept, then each new one. */
function Timeline({ name }) {
  const [list, setList] = useState([]);
  useEffect(() => {
    const seen = new Set();
    return events(`/v1/events?after=0&service=${enc(name)}`, (e) => {
      if (seen.has(e.id)) return;
      seen.add(e.id);
      setList((l) => [e, ...l].slice(0, 300));
    });
  }, [name]);
  return (
    <div class="timeline">
      <h2>Events</h2>
      <ol id="events">
        {list.length === 0 && <li class="none">no events yet</li>}
        {list.map((e) => (
          <li key={e.id} data-type={e.type}>
            <time>{new Date(e.data.at).toLocaleTimeString()}</time> {describe(e)}
          </li>
        ))}
      </ol>
    </div>
  );
}

function describe(e) {
  const d = e.data;
  switch (e.type) {
    case 'instance':
      return `instance ${d.instance} ${d.state}${d.pid ? ` (pid ${d.pid})` : ''}${d.reason ? `: ${d.reason}` : ''}`;
    case 'service':
      return `service ${d.state}, ${d.health}${d.reason ? `: ${d.reason}` : ''}`;
    case 'spec':
      return `spec ${d.action}`;
    case 'job':
      return `job ended with ${d['exit-code']}${d.reason ? `: ${d.reason}` : ''}`;
    default:
      return e.type;
  }
}

/** The instances' logs: the last 200 lines, then what they write (read again from the end after a reconnect). */
function Logs({ name }) {
  const [lines, setLines] = useState([]);
  const box = useRef(null);
  useEffect(() => {
    let fresh = true;
    return follow(
      `/v1/services/${enc(name)}/logs?follow=true&tail=200`,
      (line) => {
        setLines((l) => (fresh ? ((fresh = false), [line]) : [...l, line].slice(-1000)));
      },
      () => ({}),
      () => {
        fresh = true;
      },
    );
  }, [name]);
  useEffect(() => {
    if (box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines]);
  return (
    <div class="logs">
      <h2>Logs</h2>
      <pre id="logs" ref={box}>{lines.join('\n')}</pre>
    </div>
  );
}
