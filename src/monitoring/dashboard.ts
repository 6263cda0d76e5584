/**
 * A small typed model of a Grafana dashboard and its builder: schemaVersion 39, a `uid` derived from
 * the namespace and name (the same on every synth, at most 40 characters), a `datasource` variable of
 * type `prometheus` that every panel and query uses, and panels laid out in rows of a 24-column grid.
 */

/** A Prometheus data source reference; always the `datasource` variable. */
export interface GrafanaDatasourceRef {
  readonly type: 'prometheus';
  readonly uid: '${datasource}';
}

/** One query of a panel. */
export interface GrafanaTarget {
  readonly refId: string;
  readonly datasource: GrafanaDatasourceRef;
  readonly expr: string;
  readonly legendFormat: string;
}

/** A panel of the dashboard JSON. */
export interface GrafanaPanel {
  readonly id: number;
  readonly type: 'timeseries' | 'stat';
  readonly title: string;
  readonly description: string;
  readonly datasource: GrafanaDatasourceRef;
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly targets: readonly GrafanaTarget[];
  readonly fieldConfig: {
    readonly defaults: { readonly unit: string; readonly min?: number; readonly max?: number };
    readonly overrides: readonly never[];
  };
  readonly options: Record<string, unknown>;
}

/** The `datasource` template variable. */
export interface GrafanaDatasourceVariable {
  readonly name: 'datasource';
  readonly label: string;
  readonly type: 'datasource';
  readonly query: 'prometheus';
  readonly current: Record<string, never>;
  readonly hide: 0;
  readonly refresh: 1;
  readonly regex: '';
  readonly options: readonly never[];
}

/** A Grafana dashboard, as its JSON model. */
export interface GrafanaDashboard {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly schemaVersion: 39;
  readonly version: 1;
  readonly editable: false;
  readonly graphTooltip: 1;
  readonly timezone: 'browser';
  readonly time: { readonly from: string; readonly to: string };
  readonly refresh: string;
  readonly templating: { readonly list: readonly GrafanaDatasourceVariable[] };
  readonly annotations: { readonly list: readonly never[] };
  readonly links: readonly never[];
  readonly panels: readonly GrafanaPanel[];
}

/** One query of a panel spec: a signal's PromQL and its legend. */
export interface QuerySpec {
  readonly expr: string;
  /** Legend of each series (`{{pod}}`). */
  readonly legend: string;
}

/** What a panel shows. */
export interface PanelSpec {
  readonly title: string;
  readonly description: string;
  /** `timeseries` (default) or `stat`. */
  readonly type?: 'timeseries' | 'stat';
  /** Grafana unit (`reqps`, `percentunit`, `s`, `short`, `bytes`). */
  readonly unit: string;
  /** Columns of the 24-column grid. @default 12 */
  readonly width?: 6 | 8 | 12 | 24;
  readonly queries: readonly QuerySpec[];
  readonly min?: number;
  readonly max?: number;
}

/** What a dashboard is. */
export interface DashboardSpec {
  /** Namespace and name identify it: its uid is derived from them. */
  readonly namespace: string | undefined;
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly panels: readonly PanelSpec[];
}

/** Grafana's schema version of the JSON this builder writes (Grafana 10.4 / 11). */
export const DASHBOARD_SCHEMA_VERSION = 39;

const DATASOURCE: GrafanaDatasourceRef = { type: 'prometheus', uid: '${datasource}' };

/** FNV-1a, 32 bits, as 8 hex digits: a short, stable hash (not for security). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * The uid of the dashboard of `name` in `namespace`: the name (cut to 31 characters) and a hash of
 * both, so it is readable, the same on every synth, unique per namespace and name, and at most 40
 * characters (Grafana's limit).
 */
export function dashboardUid(namespace: string | undefined, name: string): string {
  const readable = name.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 31);
  return `${readable}-${fnv1a(`${namespace ?? ''}/${name}`)}`;
}

/** The dashboard JSON model of `spec`: panels flow left to right in rows, each query on the `datasource` variable. */
export function buildDashboard(spec: DashboardSpec): GrafanaDashboard {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const panels = spec.panels.map((p, i): GrafanaPanel => {
    const type = p.type ?? 'timeseries';
    const w = p.width ?? 12;
    const h = type === 'stat' ? 4 : 8;
    if (x + w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const gridPos = { x, y, w, h };
    x += w;
    rowHeight = Math.max(rowHeight, h);
    return {
      id: i + 1,
      type,
      title: p.title,
      description: p.description,
      datasource: DATASOURCE,
      gridPos,
      targets: p.queries.map((q, j) => ({ refId: String.fromCharCode(65 + j), datasource: DATASOURCE, expr: q.expr, legendFormat: q.legend })),
      fieldConfig: {
        defaults: { unit: p.unit, ...(p.min === undefined ? {} : { min: p.min }), ...(p.max === undefined ? {} : { max: p.max }) },
        overrides: [],
      },
      options:
        type === 'stat'
          ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'area', textMode: 'auto' }
          : { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } },
    };
  });
  return {
    uid: dashboardUid(spec.namespace, spec.name),
    title: spec.title,
    description: spec.description,
    tags: [...spec.tags],
    schemaVersion: DASHBOARD_SCHEMA_VERSION,
    version: 1,
    editable: false,
    graphTooltip: 1,
    timezone: 'browser',
    time: { from: 'now-6h', to: 'now' },
    refresh: '30s',
    templating: {
      list: [
        {
          name: 'datasource',
          label: 'Data source',
          type: 'datasource',
          query: 'prometheus',
          current: {},
          hide: 0,
          refresh: 1,
          regex: '',
          options: [],
        },
      ],
    },
    annotations: { list: [] },
    links: [],
    panels,
  };
}
