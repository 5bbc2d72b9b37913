import { Navigate, Route, Router, type RouteSectionProps, useNavigate } from "@solidjs/router";
import { createEffect, type JSX, lazy, Show } from "solid-js";
import { Banners } from "./components/Banners.tsx";
import { Layout } from "./components/Layout.tsx";
import { locale } from "./lib/i18n.ts";
import { offlineView, session } from "./lib/session.ts";
import { Login } from "./pages/Login.tsx";
import { Overview } from "./pages/Overview.tsx";

// Secondary screens load on first visit; the service worker precaches their chunks, so they open offline as well.
const Mentors = lazy(() => import("./pages/Mentors.tsx").then((m) => ({ default: m.Mentors })));
const MentorDetail = lazy(() => import("./pages/MentorDetail.tsx").then((m) => ({ default: m.MentorDetail })));
const Moderation = lazy(() => import("./pages/Moderation.tsx").then((m) => ({ default: m.Moderation })));
const Health = lazy(() => import("./pages/Health.tsx").then((m) => ({ default: m.Health })));

/** Screens behind the sign-in: without a session (or once it ends) the admin is sent to /login. */
function Protected(props: RouteSectionProps): JSX.Element {
  const navigate = useNavigate();
  const allowed = () => session() !== null || offlineView();
  createEffect(() => {
    if (!allowed()) navigate("/login", { replace: true });
  });
  return (
    <Show when={allowed()}>
      <Layout>{props.children}</Layout>
    </Show>
  );
}

function Root(props: RouteSectionProps): JSX.Element {
  createEffect(() => {
    document.documentElement.lang = locale();
  });
  return (
    <>
      <Banners />
      {props.children}
    </>
  );
}

export function App(): JSX.Element {
  return (
    <Router base="/console" root={Root}>
      <Route path="/login" component={Login} />
      <Route path="/" component={Protected}>
        <Route path="/" component={Overview} />
        <Route path="/mentors" component={Mentors} />
        <Route path="/mentors/:id" component={MentorDetail} />
        <Route path="/moderation" component={Moderation} />
        <Route path="/health" component={Health} />
      </Route>
      <Route path="*" component={() => <Navigate href="/" />} />
    </Router>
  );
}
