import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { get, type Me, managesProject, usePublicProject, useShareToken, whenLoggedOut } from './api.ts';
import { Header } from './components/Header.tsx';
import { AlertsPage } from './pages/Alerts.tsx';
import { ChangesPage } from './pages/Changes.tsx';
import { ExplorePage } from './pages/Explore.tsx';
import { FunnelsPage } from './pages/Funnels.tsx';
import { LoginPage } from './pages/Login.tsx';
import { LogsPage } from './pages/Logs.tsx';
import { OverviewPage } from './pages/Overview.tsx';
import { EventsPage, UserPage, UsersPage } from './pages/People.tsx';
import { RealtimePage } from './pages/Realtime.tsx';
import { RetentionPage } from './pages/Retention.tsx';
import { SettingsPage } from './pages/Settings.tsx';
import { navigate, setSiteTimeZones, useRoute } from './url-state.ts';
import './styles.css';

const theme = localStorage.getItem('sightline-theme');
if (theme) document.documentElement.dataset.theme = theme;

function App() {
  const route = useRoute();
  const shared = route.path.startsWith('/share/');
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  if (shared) {
    const token = route.params.get('auth') ?? undefined;
    useShareToken(token);
    // Without a token, `/share/<project>` is the public dashboard of a site marked public.
    usePublicProject(token ? undefined : decodeURIComponent(route.path.slice('/share/'.length)));
  }

  const loadMe = () =>
    get<Me>('auth/me').then(
      (m) => {
        setSiteTimeZones(m.time_zones ?? {}, m.projects[0]);
        setMe(m);
      },
      () => setMe(null),
    );
  useEffect(() => {
    whenLoggedOut(() => {
      if (!shared) setMe(null);
    });
    if (route.path !== '/invite') loadMe();
  }, []);

  if (route.path === '/invite')
    return (
      <LoginPage
        invite={location.hash.slice(1)}
        onLogin={() => {
          navigate('/');
          loadMe();
        }}
      />
    );
  if (me === undefined) return <div class="state loading" aria-busy="true" />;
  if (me === null)
    return shared ? (
      <main class="login">
        <p class="panel">This share link is not valid any more, or the site is not public.</p>
      </main>
    ) : (
      <LoginPage
        onLogin={() => {
          navigate('/');
          loadMe();
        }}
      />
    );
  if (route.path === '/login') navigate('/');

  const base = shared ? route.path : '/';
  const project = shared ? me.projects[0] : (route.params.get('project') ?? me.projects[0]);
  let page: preact.JSX.Element;
  const users = /^\/users\/(.+)$/.exec(route.path);
  if (shared) page = <OverviewPage route={route} project={project} />;
  else if (route.path === '/realtime') page = <RealtimePage route={route} project={project} />;
  else if (route.path === '/funnels') page = <FunnelsPage route={route} project={project} />;
  else if (route.path === '/retention') page = <RetentionPage route={route} project={project} />;
  else if (route.path === '/users') page = <UsersPage route={route} project={project} />;
  else if (users)
    page = (
      <UserPage
        route={route}
        project={project}
        id={decodeURIComponent(users[1])}
        admin={managesProject(me, project)}
      />
    );
  else if (route.path === '/events') page = <EventsPage route={route} project={project} />;
  else if (route.path === '/logs') page = <LogsPage route={route} project={project} />;
  else if (route.path === '/changes') page = <ChangesPage route={route} project={project} />;
  else if (route.path === '/explore' && me.admin) page = <ExplorePage route={route} />;
  else if (route.path === '/settings' && (me.admin || (me.admin_of ?? []).length > 0))
    page = <SettingsPage me={me} />;
  else if (route.path === '/alerts' && me.admin) page = <AlertsPage me={me} project={project} />;
  else page = <OverviewPage route={route} project={project} managesGoals={managesProject(me, project)} />;
  const showRange =
    !['/explore', '/settings', '/alerts', '/realtime', '/users'].includes(route.path) && !users;
  return (
    <>
      <Header me={me} route={route} showRange={showRange} base={base} />
      {page}
    </>
  );
}

render(<App />, document.getElementById('app')!);
