import { Navigate } from "@solidjs/router";
import { type Component, type JSX, Show } from "solid-js";
import { lastSignedIn, offlineView, session } from "../../lib/session.ts";

export const isMentor = () => (session() ? session()?.user.role === "mentor" : offlineView() && lastSignedIn()?.role === "mentor");

/** Admin screens: a mentor is sent to their own space instead (the API would refuse them anyway). */
export function adminOnly<P extends object>(Screen: Component<P>): Component<P> {
  return (props: P): JSX.Element => (
    <Show when={!isMentor()} fallback={<Navigate href="/me" />}>
      <Screen {...props} />
    </Show>
  );
}

/** Mentor screens need a mentor session (an admin has no profile of their own to edit). */
export function mentorOnly<P extends object>(Screen: Component<P>): Component<P> {
  return (props: P): JSX.Element => (
    <Show when={isMentor()} fallback={<Navigate href="/" />}>
      <Screen {...props} />
    </Show>
  );
}
