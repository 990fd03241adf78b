import { get, post, call } from './api.js';
import { Action, State, ago, useData, Problem } from './parts.jsx';

const enc = encodeURIComponent;

export function ServiceActions({ s, down }) {
  const p = `/v1/services/${enc(s.name)}`;
  const stopped = s.state === 'stopped' || (s.state === 'disabled' && s.instances.length === 0);
  const paused = s.instances.some((i) => i.state === 'paused');
  return (
    <>
      {stopped && <Action name="start" label="Start" question={`Start ${s.name}?`} disabled={down} run={() => post(p + '/start')} />}
      {!stopped && <Action name="stop" label="Stop" question={`Stop ${s.name}? Its instances finish their requests and stop.`} disabled={down} run={() => post(p + '/stop')} />}
      {!stopped && !paused && <Action name="pause" label="Pause" question={`Pause ${s.name}'s instances?`} disabled={down} run={() => post(p + '/pause')} />}
      {paused && <Action name="resume" label="Resume" question={`Resume ${s.name}'s instances?`} disabled={down} run={() => post(p + '/resume')} />}
    </>
  );
}

/** A service with parts: its running open instances of all open (as `service query` counts them). */
const opened = (list) => `${list.filter((o) => o.state === 'running').length}/${list.length} open`;

/** Open instances of services with parts, each with its Close (confirmed first). */
export function Opened({ rows, down, withService, none }) {
  return (
    <table id="dynamic">
      <thead><tr><th>uuid</th>{withService && <th>service</th>}<th>state</th><th>parts</th><th>url</th><th>opened</th><th></th></tr></thead>
      <tbody>
        {rows.length === 0 && <tr><td colspan={withService ? 7 : 6} class="none">{none}</td></tr>}
        {rows.map((o) => (
          <tr key={o.uuid} data-uuid={o.uuid}>
            <td class="uuid"><a href={`#/instances/${enc(o.uuid)}`}>{o.uuid}</a></td>
            {withService && <td><a href={`#/services/${enc(o.service)}`}>{o.service}</a></td>}
            <td class="state"><State value={o.state} down={down} /></td>
            <td>{Object.entries(o.parts || {}).map(([k, v]) => `${k} ${v}`).join(', ')}</td>
            <td>{o.url && o.routed ? <a href={o.url}>{o.url}</a> : ''}</td>
            <td>{ago(o.opened)}</td>
            <td>
              <Action name="close" label="Close" disabled={down} question={`Close ${o.uuid}? Its parts stop; its outputs are kept as the service says.`}
                run={() => post(`/v1/dynamic/${enc(o.uuid)}/close`)} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

async function loadAll() {
  const [services, apps, functions, jobs, nodes] = await Promise.all([
    get('/v1/services'),
    get('/v1/apps'),
    get('/v1/functions'),
    get('/v1/jobs'),
    get('/v1/cluster/nodes').catch(() => []),
  ]);
  const running = await Promise.all(
    apps.map((a) => (a.state === 'stopped' ? a : get(`/v1/apps/${enc(a.name)}`).then((v) => ({ ...a, ...v }), () => a))),
  );
  return { services, apps: running, functions, jobs, nodes };
}

export function Overview({ tick, down }) {
  const { data, error } = useData(loadAll, tick);
  if (!data) return <Problem error={error} />;
  const services = data.services;
  return (
    <div id="overview">
      <Problem error={error} />
      <h2>Services</h2>
      <table id="services">
        <thead><tr><th>service</th><th>kind</th><th>policy</th><th>state</th><th>health</th><th>instances</th><th>node</th><th></th></tr></thead>
        <tbody>
          {services.length === 0 && <tr><td colspan="8" class="none">no services registered</td></tr>}
          {services.map((s) => (
            <tr data-service={s.name} key={s.name}>
              <td><a href={`#/services/${enc(s.name)}`}>{s.name}</a></td>
              <td>{s.kind}</td>
              <td>{s.policy}</td>
              <td class="state"><State value={s.state} down={down} /></td>
              <td>{!s.opened && <State value={s.health} down={down} />}</td>
              <td class="instances">{down ? '?' : s.opened ? opened(s.opened) : `${s.instances.filter((i) => i.state === 'running').length}/${s.wanted}`}</td>
              <td>{[...new Set(s.instances.map((i) => i.node))].join(', ')}</td>
              <td>{s.opened ? <a href={`#/services/${enc(s.name)}`}>open…</a> : <ServiceActions s={s} down={down} />}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>Dynamic instances</h2>
      <Opened rows={services.flatMap((s) => (s.opened || []).map((o) => ({ ...o, service: s.name })))} down={down} withService
        none="no open instances: open one from a dynamic service's page (or steward service open NAME)" />

      <h2>Apps</h2>
      <table id="apps">
        <thead><tr><th>app</th><th>state</th><th>profile</th><th>queue</th><th>workers</th><th>served</th></tr></thead>
        <tbody>
          {data.apps.length === 0 && <tr><td colspan="6" class="none">no apps uploaded</td></tr>}
          {data.apps.map((a) => (
            <tr data-app={a.name} key={a.name}>
              <td><a href={`#/apps/${enc(a.name)}`}>{a.name}</a></td>
              <td><State value={a.state} down={down} /></td>
              <td>{a.profile || ''}</td>
              <td>{a.queue ? `${a.queue.depth}/${a.queue.capacity}` : ''}</td>
              <td>{a.workers ? a.workers.length : ''}</td>
              <td>{a.served ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>Functions</h2>
      <table id="functions">
        <thead>
          <tr><th>function</th><th>runtime</th><th>state</th><th>invocations</th><th>cold</th><th>paused</th><th>warm</th><th>errors</th><th>p50</th></tr>
        </thead>
        <tbody>
          {data.functions.length === 0 && <tr><td colspan="9" class="none">no functions added</td></tr>}
          {data.functions.map((f) => (
            <tr data-function={f.name} key={f.name}>
              <td>{f.name}</td>
              <td>{f.runtime}</td>
              <td><State value={f.state} down={down} /></td>
              <td class="invocations">{f.invocations}</td>
              <td class="cold">{f.starts.cold}</td>
              <td class="paused">{f.starts.paused}</td>
              <td class="warm">{f.starts.warm}</td>
              <td class="errors">{f.errors}</td>
              <td>{f.invocations ? micros(f['latency-p50-us']) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>Jobs</h2>
      <table id="jobs">
        <thead><tr><th>job</th><th>state</th><th>exit</th><th>started</th><th></th></tr></thead>
        <tbody>
          {data.jobs.length === 0 && <tr><td colspan="5" class="none">no jobs run</td></tr>}
          {data.jobs.map((j) => (
            <tr key={j.id}>
              <td>{j.id}{j.name && j.name !== j.id ? ` (${j.name})` : ''}</td>
              <td><State value={j.state} down={down} /></td>
              <td>{j['exit-code'] ?? ''}</td>
              <td>{ago(j.started)}</td>
              <td>
                {j.state === 'running' && (
                  <Action name="stop-job" label="Stop" question={`Stop job ${j.id}?`} disabled={down} run={() => call('POST', `/v1/jobs/${enc(j.id)}/stop`)} />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>Nodes</h2>
      <table id="nodes">
        <thead><tr><th>node</th><th>address</th><th>instances</th><th>role</th></tr></thead>
        <tbody>
          {data.nodes.map((n) => (
            <tr key={n.name}>
              <td>{n.name}</td>
              <td>{n.address ? n.address.api : ''}</td>
              <td>{n.instances ?? ''}</td>
              <td>{[n.leader ? 'leader' : '', n.drained ? 'drained' : ''].filter(Boolean).join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A latency in microseconds, in the unit that reads best. */
const micros = (us) => (us >= 1000 ? `${(us / 1000).toFixed(1)} ms` : `${us} µs`);
