import { A, useNavigate } from "@solidjs/router";
import { createSignal, type JSX } from "solid-js";
import { type Locale, locale, setLocale, t } from "../lib/i18n.ts";
import { endSession, session } from "../lib/session.ts";
import { setTheme, type ThemeChoice, themeChoice } from "../lib/theme.ts";

/** Header with navigation, language and theme switches and sign-out; the menu folds away on narrow screens. */
export function Layout(props: { children?: JSX.Element }): JSX.Element {
  const navigate = useNavigate();
  const [menuOpen, setMenuOpen] = createSignal(false);
  const logout = () => {
    endSession("loggedOut");
    navigate("/login", { replace: true });
  };
  return (
    <>
      <a class="skip" href="#main">
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
      </main>
    </>
  );
}
