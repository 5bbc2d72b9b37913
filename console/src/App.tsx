import { Navigate, Route, Router, type RouteSectionProps, useNavigate } from "@solidjs/router";
import { createEffect, type JSX, lazy, Show } from "solid-js";
import { Banners } from "./components/Banners.tsx";
import { Layout } from "./components/Layout.tsx";
import { locale } from "./lib/i18n.ts";
import { offlineView, session } from "./lib/session.ts";
import { Login } from "./pages/Login.tsx";
import { Overview } from "./pages/Overview.tsx";
import { adminOnly, mentorOnly } from "./pages/mentor/guards.tsx";

// Secondary screens load on first visit; the service worker precaches their chunks, so they open offline as well.
const Mentors = lazy(() => import("./pages/Mentors.tsx").then((m) => ({ default: m.Mentors })));
const MentorDetail = lazy(() => import("./pages/MentorDetail.tsx").then((m) => ({ default: m.MentorDetail })));
const Moderation = lazy(() => import("./pages/Moderation.tsx").then((m) => ({ default: m.Moderation })));
const Health = lazy(() => import("./pages/Health.tsx").then((m) => ({ default: m.Health })));
const Privacy = lazy(() => import("./pages/Privacy.tsx").then((m) => ({ default: m.Privacy })));
// The mentor area (same app, navigation by role).
const SignIn = lazy(() => import("./pages/mentor/SignIn.tsx").then((m) => ({ default: m.SignIn })));
const MentorHome = lazy(() => import("./pages/mentor/Home.tsx").then((m) => ({ default: mentorOnly(m.MentorHome) })));
const MentorProfile = lazy(() => import("./pages/mentor/Profile.tsx").then((m) => ({ default: mentorOnly(m.MentorProfile) })));
const MentorSchedule = lazy(() => import("./pages/mentor/Schedule.tsx").then((m) => ({ default: mentorOnly(m.MentorSchedule) })));
const MentorSessions = lazy(() => import("./pages/mentor/Sessions.tsx").then((m) => ({ default: mentorOnly(m.MentorSessions) })));

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
      <Route path="/sign-in" component={SignIn} />
      <Route path="/" component={Protected}>
        <Route path="/" component={adminOnly(Overview)} />
        <Route path="/mentors" component={adminOnly(Mentors)} />
        <Route path="/mentors/:id" component={adminOnly(MentorDetail)} />
        <Route path="/moderation" component={adminOnly(Moderation)} />
        <Route path="/health" component={adminOnly(Health)} />
        <Route path="/privacy" component={adminOnly(Privacy)} />
        <Route path="/me" component={MentorHome} />
        <Route path="/me/profile" component={MentorProfile} />
        <Route path="/me/schedule" component={MentorSchedule} />
        <Route path="/me/sessions" component={MentorSessions} />
      </Route>
      <Route path="*" component={() => <Navigate href="/" />} />
    </Router>
  );
}
