import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/**
 * One uPlot chart of columns that share the time axis: data is [times, ...columns], series names
 * the columns. Made once; given new data, it redraws in place.
 */
/** uPlot asks whether to draw dots: only where few points are shown, so sparse seconds are visible. */
function lone(u, seriesIndex) {
  const ys = u.data[seriesIndex] || [];
  let n = 0;
  for (const y of ys) if (y != null && y !== 0) n++;
  return n > 0 && n < 120;
}

export function Plot({ title, data, series, id }) {
  const box = useRef(null);
  const chart = useRef(null);
  useEffect(() => {
    const width = Math.max(300, Math.min(560, (box.current.parentElement.clientWidth || 600) - 10));
    chart.current = new uPlot(
      {
        title,
        width,
        height: 180,
        scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
        // a second is a point: a lone one (a request among idle seconds) shows as a dot, gaps (no point kept) stay gaps
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, spanGaps: false, points: { show: lone, size: 5, fill: s.color } }))],
        axes: [{}, { size: 50 }],
        legend: { live: true },
      },
      data,
      box.current,
    );
    return () => chart.current.destroy();
  }, []);
  useEffect(() => {
    if (chart.current) chart.current.setData(data);
  }, [data]);
  return <div class="plot" id={id} ref={box} />;
}
