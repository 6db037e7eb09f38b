import { useEffect } from 'preact/hooks';
import { pages, type PageEntry } from './pages/index.ts';
import { CONSOLE, matchPath, navigate, useLocation } from './router.ts';
import { roleAtLeast, session, signOut, type Role } from './session.ts';
import { useStore, type Store } from './store.ts';

const SECTIONS: { id: NonNullable<PageEntry['nav']>['section']; label: string }[] = [
  { id: 'member', label: 'Community' },
  { id: 'operator', label: 'Operations' },
  { id: 'admin', label: 'Administration' },
];

function allowed(entry: PageEntry, role: Role | undefined): boolean {
  return !entry.role || (role !== undefined && roleAtLeast(role, entry.role));
}

/** The side navigation: only the pages this account may use. */
function Nav({ role }: { role: Role }) {
  const { path } = useLocation();
  return (
    <nav aria-label="Main">
      {SECTIONS.map((section) => {
        const entries = pages
          .filter((p) => p.nav?.section === section.id && allowed(p, role))
          .sort((a, b) => (a.nav!.order ?? 100) - (b.nav!.order ?? 100));
        if (entries.length === 0) return null;
        return (
          <div key={section.id}>
            <h2 class="nav-section">{section.label}</h2>
            <ul>
              {entries.map((p) => (
                <li key={p.path}>
                  <a href={p.path} aria-current={path.startsWith(p.path) ? 'page' : undefined}>
                    {p.nav!.label}
                    {p.nav!.badge && <NavBadge count={p.nav!.badge} />}
                  </a>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
    </nav>
  );
}

/** A count beside a link (unread notifications); nothing at zero. Read out as "N unread". */
function NavBadge({ count }: { count: Store<number> }) {
  const value = useStore(count);
  if (value <= 0) return null;
  return (
    <>
      <span class="badge nav-badge" aria-hidden="true">
        {value}
      </span>
      <span class="sr-only">{` (${value} unread)`}</span>
    </>
  );
}

function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        <a href={`${CONSOLE}/groups`}>Back to my groups</a>
      </p>
    </section>
  );
}

function Forbidden() {
  return (
    <section>
      <h1>Not available</h1>
      <p role="alert">This page is for operators or administrators.</p>
    </section>
  );
}

/** The console's shell: header with the account, navigation, and the page the path names. */
export function App() {
  const state = useStore(session);
  const { path, query } = useLocation();
  const found = pages.map((entry) => ({ entry, params: matchPath(entry.path, path) })).find((m) => m.params);
  const signedIn = state.status === 'signedIn';

  useEffect(() => {
    if (path === '/' || path === CONSOLE) navigate(`${CONSOLE}/groups`, { replace: true });
    else if (state.status === 'signedOut' && !found?.entry.public)
      navigate(`${CONSOLE}/signin?next=${encodeURIComponent(path + location.search)}`, { replace: true });
  }, [path, state.status]);

  useEffect(() => {
    document.title = found ? `${found.entry.title} · Plaza` : 'Plaza';
  }, [found?.entry]);

  if (state.status === 'loading') return <p class="loading">Loading…</p>;
  const role = signedIn ? state.me.role : undefined;
  let content;
  if (!found) content = <NotFound />;
  else if (!found.entry.public && !signedIn) content = null;
  else if (!allowed(found.entry, role)) content = <Forbidden />;
  else content = <found.entry.component params={found.params!} query={query} />;

  return (
    <div class={signedIn ? 'shell' : 'shell public'}>
      <header>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <a class="brand" href={`${CONSOLE}/groups`}>
          Plaza
        </a>
        {signedIn && (
          <div class="account">
            <span aria-label="Signed in as">{state.me.nickname ?? state.me.username}</span>
            <button type="button" onClick={() => void signOut().then(() => navigate(`${CONSOLE}/signin`))}>
              Sign out
            </button>
          </div>
        )}
      </header>
      {signedIn && role && <Nav role={role} />}
      <main id="main" tabIndex={-1}>
        {content}
      </main>
    </div>
  );
}
