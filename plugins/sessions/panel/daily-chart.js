import { html, useEffect, useRef } from 'fleet-dashboard';
import uPlot from 'uplot';

const DAY_S = 86_400;

/**
 * Cost per UTC day (bars, left axis) and tokens (line, right axis) with uPlot: built once, then fed new
 * data with setData, and resized with its box.
 * @param {{ days: { day: string, costUsd: number | null, totalTokens: number }[] }} props
 */
export function DailyChart({ days }) {
  const box = useRef(/** @type {HTMLDivElement | null} */ (null));
  const plot = useRef(/** @type {any} */ (null));

  const data = [
    days.map((entry) => Date.parse(`${entry.day}T00:00:00Z`) / 1000),
    days.map((entry) => entry.costUsd ?? 0),
    days.map((entry) => entry.totalTokens),
  ];

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const style = getComputedStyle(document.documentElement);
    const color = (/** @type {string} */ name, /** @type {string} */ fallback) =>
      style.getPropertyValue(name).trim() || fallback;
    const text = color('--fd-muted', '#5e6773');
    const grid = color('--fd-border', '#d9dde3');
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    plot.current = new uPlot(
      {
        width: Math.max(280, element.clientWidth),
        height: 220,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        legend: { show: true },
        scales: {
          x: { time: true, range: (_u, min, max) => [min - DAY_S / 2, max + DAY_S / 2] },
          usd: { auto: true, range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
          tokens: { auto: true },
        },
        axes: [
          { ...axis, space: 60, incrs: [DAY_S, 7 * DAY_S, 30 * DAY_S] },
          { ...axis, scale: 'usd', values: (_u, ticks) => ticks.map((v) => `$${v.toFixed(v < 1 ? 2 : 0)}`), size: 60 },
          {
            ...axis,
            scale: 'tokens',
            side: 1,
            grid: { show: false },
            values: (_u, ticks) => ticks.map(shortNumber),
            size: 60,
          },
        ],
        series: [
          { value: (_u, ts) => (ts == null ? '—' : new Date(ts * 1000).toISOString().slice(0, 10)) },
          {
            label: 'Cost',
            scale: 'usd',
            stroke: color('--fd-primary', '#1f6feb'),
            fill: `${color('--fd-primary', '#1f6feb')}66`,
            paths: uPlot.paths.bars?.({ size: [0.6, 40] }),
            points: { show: false },
            value: (_u, v) => (v == null ? '—' : `$${v.toFixed(2)}`),
          },
          {
            label: 'Tokens',
            scale: 'tokens',
            stroke: color('--fd-action', '#8250df'),
            width: 2,
            value: (_u, v) => (v == null ? '—' : shortNumber(v)),
          },
        ],
      },
      /** @type {any} */ (data),
      element,
    );
    const resize = new ResizeObserver(() =>
      plot.current?.setSize({ width: Math.max(280, element.clientWidth), height: 220 }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData(data);
  }, [days]);

  return html`<div class="costs-chart" ref=${box} data-costs-chart></div>`;
}

function shortNumber(/** @type {number} */ value) {
  if (value >= 1e9) return `${(value / 1e9).toFixed(1)}B`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(0)}k`;
  return String(Math.round(value));
}
