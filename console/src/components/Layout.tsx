import { A, useNavigate } from "@solidjs/router";
import { createSignal, type JSX, Show } from "solid-js";
import { isMentor } from "../pages/mentor/guards.tsx";
import { m } from "../pages/mentor/i18n.ts";
import { type Locale, locale, setLocale, t } from "../lib/i18n.ts";
import { assertive, focusHeading, guardFocus, polite } from "../lib/focus.ts";
import { endSession, session } from "../lib/session.ts";
import { setTheme, type ThemeChoice, themeChoice } from "../lib/theme.ts";

/** Header with navigation, language and theme switches and sign-out; the menu folds away on narrow screens. */
export function Layout(props: { children?: JSX.Element }): JSX.Element {
  const navigate = useNavigate();
  const [menuOpen, setMenuOpen] = createSignal(false);
  guardFocus();
  const logout = () => {
    endSession("loggedOut");
    navigate("/login", { replace: true });
  };
  return (
    <>
      {/* The router would treat "#main" as a navigation; the skip link moves the focus itself. */}
      <a
        class="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          focusHeading(0);
        }}
      >
        {t().skip}
      </a>
      <header class="topbar">
        <div class="brand">
          <img src="/console/icons/icon-192.png" alt="" width="28" height="28" />
          <span>Thotis</span>
        </div>
        <button type="button" class="menu-toggle" aria-expanded={menuOpen()} aria-controls="main-nav" onClick={() => setMenuOpen(!menuOpen())}>
          {t().menu}
        </button>
        <nav id="main-nav" aria-label={t().menu} classList={{ open: menuOpen() }}>
          <Show when={isMentor()}>
            <A href="/me" end activeClass="active" onClick={() => setMenuOpen(false)}>
              {m().nav.home}
            </A>
            <A href="/me/profile" activeClass="active" onClick={() => setMenuOpen(false)}>
              {m().nav.profile}
            </A>
            <A href="/me/schedule" activeClass="active" onClick={() => setMenuOpen(false)}>
              {m().nav.schedule}
            </A>
            <A href="/me/sessions" activeClass="active" onClick={() => setMenuOpen(false)}>
              {m().nav.sessions}
            </A>
          </Show>
          <Show when={!isMentor()}>
          <A href="/" end activeClass="active" onClick={() => setMenuOpen(false)}>
            {t().nav.overview}
          </A>
          <A href="/mentors" activeClass="active" onClick={() => setMenuOpen(false)}>
            {t().nav.mentors}
          </A>
          <A href="/moderation" activeClass="active" onClick={() => setMenuOpen(false)}>
            {t().nav.moderation}
          </A>
          <A href="/health" activeClass="active" onClick={() => setMenuOpen(false)}>
            {t().nav.health}
          </A>
          <A href="/privacy" activeClass="active" onClick={() => setMenuOpen(false)}>
            {t().privacy.nav}
          </A>
          </Show>
        </nav>
        <div class="tools">
          <label>
            <span class="sr-only">{t().language}</span>
            <select value={locale()} onChange={(e) => setLocale(e.currentTarget.value as Locale)} data-testid="locale">
              <option value="fr">FR</option>
              <option value="en">EN</option>
            </select>
          </label>
          <label>
            <span class="sr-only">{t().theme.label}</span>
            <select value={themeChoice()} onChange={(e) => setTheme(e.currentTarget.value as ThemeChoice)} data-testid="theme">
              <option value="system">{t().theme.system}</option>
              <option value="light">{t().theme.light}</option>
              <option value="dark">{t().theme.dark}</option>
            </select>
          </label>
          <button type="button" onClick={logout} title={session()?.user.email}>
            {t().logout}
          </button>
        </div>
      </header>
      <main id="main" tabindex="-1">
        {props.children}
      {/* The screens' live regions: present from the first paint and only ever updated, so every change is read. */}
      <div class="sr-only" role="status" aria-live="polite" aria-atomic="true" data-testid="live-polite">
        {polite()}
      </div>
      <div class="sr-only" role="alert" aria-live="assertive" aria-atomic="true" data-testid="live-assertive">
        {assertive()}
      </div>
      </main>
    </>
  );
}
