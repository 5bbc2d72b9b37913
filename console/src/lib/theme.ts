import { createSignal } from "solid-js";

/** "system" follows prefers-color-scheme; the toggle pins light or dark. Charts read `isDark()` to re-theme. */
export type ThemeChoice = "system" | "light" | "dark";
const KEY = "thotis.console.theme";
const media = window.matchMedia("(prefers-color-scheme: dark)");

const [choice, setChoiceSignal] = createSignal<ThemeChoice>((localStorage.getItem(KEY) as ThemeChoice | null) ?? "system");
const [systemDark, setSystemDark] = createSignal(media.matches);
media.addEventListener("change", (e) => setSystemDark(e.matches));

export const themeChoice = choice;
export const isDark = () => (choice() === "system" ? systemDark() : choice() === "dark");

function apply() {
  const c = choice();
  if (c === "system") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = c;
}
apply();

export function setTheme(next: ThemeChoice) {
  localStorage.setItem(KEY, next);
  setChoiceSignal(next);
  apply();
}

/** A CSS custom property's current value (the charts take their colours from the stylesheet). */
export const cssVar = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
