import { isShared, type Me, post } from '../api.ts';
import { filtersOf, navigate, type Route, setFilters, update } from '../url-state.ts';
import { ProjectSelect } from './ProjectSelect.tsx';

const PERIODS: Array<[string, string]> = [
  ['realtime', 'Realtime'],
  ['today', 'Today'],
  ['7d', 'Last 7 days'],
  ['30d', 'Last 30 days'],
  ['month', 'This month'],
  ['12mo', 'Last 12 months'],
  ['custom', 'Custom range'],
];

const NAV: Array<[string, string, boolean]> = [
  ['/', 'Overview', false],
  ['/realtime', 'Realtime', false],
  ['/funnels', 'Funnels', false],
  ['/retention', 'Retention', false],
  ['/users', 'Users', true],
  ['/events', 'Events', true],
  ['/logs', 'Logs', true],
  ['/changes', 'DB changes', true],
  ['/explore', 'Explore', true],
  ['/alerts', 'Alerts', true],
  ['/settings', 'Settings', true],
];

const DIMENSION_LABELS: Record<string, string> = {
  page: 'Page',
  entry_page: 'Entry page',
  exit_page: 'Exit page',
  source: 'Source',
  channel: 'Channel',
  referrer: 'Referrer',
  country: 'Country',
  region: 'Region',
  city: 'City',
  browser: 'Browser',
  os: 'OS',
  device: 'Device',
  event: 'Event',
};

export const dimensionLabel = (d: string) =>
  DIMENSION_LABELS[d] ??
  (d.startsWith('event:props:') ? `Property ${d.slice(12)}` : d.replace('utm_', 'UTM '));

function toggleTheme() {
  const root = document.documentElement;
  const dark = root.dataset.theme
    ? root.dataset.theme === 'dark'
    : matchMedia('(prefers-color-scheme: dark)').matches;
  root.dataset.theme = dark ? 'light' : 'dark';
  localStorage.setItem('sightline-theme', root.dataset.theme);
}

export function Header(props: { me: Me; route: Route; showRange?: boolean; base: string }) {
  const { me, route } = props;
  const params = route.params;
  const project = params.get('project') ?? me.projects[0];
  const period = params.get('from') ? 'custom' : (params.get('period') ?? '30d');
  const filters = filtersOf(params);
  const go = (path: string) => navigate(path, { project, period: params.get('period') ?? undefined });
  return (
    <header class="top">
      <div class="bar">
        <a
          class="brand"
          href={props.base}
          onClick={(e) => {
            e.preventDefault();
            go(props.base);
          }}
        >
          <span class="dot" /> Sightline
        </a>
        {me.projects.length > 1 ? (
          <ProjectSelect
            label="Project"
            projects={me.projects}
            value={project}
            onChange={(p) => update({ project: p, filters: undefined })}
          />
        ) : (
          <strong class="project">{project}</strong>
        )}
        {!isShared() && (
          <nav aria-label="Pages">
            {NAV.filter(([, , member]) => !member || !me.shared)
              .filter(([path]) =>
                ['/explore', '/alerts'].includes(path)
                  ? me.admin
                  : path === '/settings'
                    ? me.admin || (me.admin_of ?? []).length > 0
                    : true,
              )
              .map(([path, label]) => (
                <a
                  key={path}
                  href={path}
                  aria-current={route.path === path ? 'page' : undefined}
                  onClick={(e) => {
                    e.preventDefault();
                    go(path);
                  }}
                >
                  {label}
                </a>
              ))}
          </nav>
        )}
        <span class="spacer" />
        <button type="button" class="ghost" aria-label="Toggle dark mode" onClick={toggleTheme}>
          ◐
        </button>
        {!isShared() && (
          <button
            type="button"
            class="ghost"
            onClick={() => post('auth/logout', {}).finally(() => navigate('/login'))}
            title={me.email || me.name}
          >
            Log out
          </button>
        )}
      </div>
      {props.showRange !== false && (
        <div class="bar range">
          <select
            aria-label="Period"
            value={period}
            onChange={(e) => {
              const v = (e.target as HTMLSelectElement).value;
              if (v === 'custom') {
                const today = new Date().toISOString().slice(0, 10);
                update({
                  period: undefined,
                  from: params.get('from') ?? today,
                  to: params.get('to') ?? today,
                });
              } else update({ period: v, from: undefined, to: undefined });
            }}
          >
            {PERIODS.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
          {period === 'custom' && (
            <>
              <input
                type="date"
                aria-label="From"
                value={params.get('from') ?? ''}
                onChange={(e) => update({ from: (e.target as HTMLInputElement).value })}
              />
              <input
                type="date"
                aria-label="To"
                value={params.get('to') ?? ''}
                onChange={(e) => update({ to: (e.target as HTMLInputElement).value })}
              />
            </>
          )}
          <label class="check">
            <input
              type="checkbox"
              checked={params.has('compare')}
              onChange={(e) =>
                update({ compare: (e.target as HTMLInputElement).checked ? 'previous_period' : undefined })
              }
            />
            Compare
          </label>
          {params.has('compare') && (
            <select
              aria-label="Compare with"
              value={params.get('compare') ?? 'previous_period'}
              onChange={(e) => update({ compare: (e.target as HTMLSelectElement).value })}
            >
              <option value="previous_period">Previous period</option>
              <option value="year_over_year">Last year</option>
            </select>
          )}
          <ul class="chips" aria-label="Filters">
            {filters.map((f, i) => (
              <li key={`${f[1]}-${i}`} class="chip" data-testid="filter-chip">
                {dimensionLabel(f[1])} {f[0] === 'is' ? 'is' : f[0].replace('_', ' ')}{' '}
                <b>{f[2].join(' or ')}</b>
                <button
                  type="button"
                  aria-label={`Remove filter ${f[1]}`}
                  onClick={() => setFilters(filters.filter((_, j) => j !== i))}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </header>
  );
}
