import { createResource, createSignal, For, type JSX, onCleanup, Show } from "solid-js";
import { Async } from "../../components/Async.tsx";
import { ApiError, rawRequest } from "../../lib/api.ts";
import { academicFields, fieldLabel } from "../../lib/i18n.ts";
import { api, base, getProfile, myProfileId, type Profile } from "./api.ts";
import { m } from "./i18n.ts";

type Field = "university" | "degree" | "field" | "currentYear" | "bio" | "linkedInUrl";

/**
 * The field an API validation error names ("bio: Expected string length ..."), so the message can be shown in the
 * user's language next to that field.
 */
function fieldsOf(error: unknown): string[] {
  if (!(error instanceof ApiError) || error.status !== 400) return [];
  const head = error.message.split(":")[0]?.trim() ?? "";
  return /^[a-zA-Z]+$/.test(head) ? [head] : [];
}

/**
 * Photos are stored under /media on this same server; the console loads them from its own origin (its CSP allows
 * images from 'self' only), whatever PUBLIC_URL the API put in front of the path.
 */
function sameOrigin(url: string): string {
  try {
    const u = new URL(url, window.location.origin);
    return u.pathname.startsWith("/media/") ? u.pathname : url;
  } catch {
    return url;
  }
}

export function MentorProfile(): JSX.Element {
  const [profile, { mutate }] = createResource(() => myProfileId() || false, getProfile);
  const [errors, setErrors] = createSignal<Record<string, string>>({});
  const [status, setStatus] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const [preview, setPreview] = createSignal<string | null>(null);
  const [file, setFile] = createSignal<File | null>(null);
  onCleanup(() => {
    const p = preview();
    if (p) URL.revokeObjectURL(p);
  });

  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const text = (k: Field) => String(form.get(k) ?? "").trim();
    const body: Record<string, unknown> = {
      university: text("university"),
      degree: text("degree"),
      bio: text("bio"),
      currentYear: Number(text("currentYear")),
      linkedInUrl: text("linkedInUrl") || null,
    };
    if (text("field")) body.field = text("field");
    setBusy(true);
    setStatus(null);
    setErrors({});
    try {
      mutate(await api<Profile>(`${base()}/profile`, { method: "PUT", json: body }));
      setStatus(m().profile.saved);
    } catch (err) {
      const named = fieldsOf(err);
      const rules = m().profile.rules;
      const messages: Record<string, string> = {};
      for (const f of named) messages[f] = rules[f] ?? (err as Error).message;
      if (!named.length) messages._ = err instanceof Error ? err.message : String(err);
      setErrors(messages);
    } finally {
      setBusy(false);
    }
  };

  const choose = (input: HTMLInputElement) => {
    const f = input.files?.[0] ?? null;
    const old = preview();
    if (old) URL.revokeObjectURL(old);
    setFile(f);
    setPreview(f ? URL.createObjectURL(f) : null);
  };
  const upload = async () => {
    const f = file();
    if (!f) return;
    setBusy(true);
    setStatus(null);
    setErrors({});
    try {
      const form = new FormData();
      form.set("photo", f);
      const res = await rawRequest(`${base()}/photo`, { method: "POST", body: form });
      const body = (await res.json()) as { data?: Profile };
      if (!res.ok || !body.data) throw new Error(m().profile.rules.photo);
      mutate(body.data);
      setFile(null);
      setPreview(null);
      setStatus(m().profile.uploaded);
    } catch {
      setErrors({ photo: m().profile.rules.photo ?? "" });
    } finally {
      setBusy(false);
    }
  };

  const err = (k: string) => errors()[k];
  const described = (k: string) => (err(k) ? `${k}-error` : undefined);

  return (
    <div class="page">
      <h1>{m().profile.title}</h1>
      <Async resource={profile}>
        {(p) => (
          <div class="grid-2">
            <form class="card form" onSubmit={(e) => void save(e)} data-testid="profile-form" novalidate>
              <For each={["university", "degree"] as const}>
                {(k) => (
                  <>
                    <label for={`p-${k}`}>{m().profile[k]}</label>
                    <input id={`p-${k}`} name={k} value={p[k] ?? ""} aria-invalid={Boolean(err(k))} aria-describedby={described(k)} />
                    <Show when={err(k)}>
                      <p id={`${k}-error`} class="error-text">
                        {err(k)}
                      </p>
                    </Show>
                  </>
                )}
              </For>
              <label for="p-field">{m().profile.field}</label>
              <select id="p-field" name="field" aria-invalid={Boolean(err("field"))} aria-describedby={described("field")}>
                <option value="">{m().profile.chooseField}</option>
                <For each={academicFields}>
                  {(f) => (
                    <option value={f} selected={p.field === f}>
                      {fieldLabel(f)}
                    </option>
                  )}
                </For>
              </select>
              <Show when={err("field")}>
                <p id="field-error" class="error-text">
                  {err("field")}
                </p>
              </Show>
              <label for="p-currentYear">{m().profile.currentYear}</label>
              <input id="p-currentYear" name="currentYear" type="number" min="1" max="10" value={p.currentYear ?? ""} aria-invalid={Boolean(err("currentYear"))} aria-describedby={described("currentYear")} />
              <Show when={err("currentYear")}>
                <p id="currentYear-error" class="error-text">
                  {err("currentYear")}
                </p>
              </Show>
              <label for="p-bio">{m().profile.bio}</label>
              <textarea id="p-bio" name="bio" rows="6" aria-invalid={Boolean(err("bio"))} aria-describedby={described("bio")}>
                {p.bio ?? ""}
              </textarea>
              <Show when={err("bio")}>
                <p id="bio-error" class="error-text" data-testid="bio-error">
                  {err("bio")}
                </p>
              </Show>
              <label for="p-linkedInUrl">{m().profile.linkedIn}</label>
              <input id="p-linkedInUrl" name="linkedInUrl" type="url" value={p.linkedInUrl ?? ""} aria-invalid={Boolean(err("linkedInUrl"))} aria-describedby={described("linkedInUrl")} />
              <Show when={err("linkedInUrl")}>
                <p id="linkedInUrl-error" class="error-text">
                  {err("linkedInUrl")}
                </p>
              </Show>
              <p class="error-text" role="alert">
                {err("_") ?? ""}
              </p>
              <button type="submit" class="primary" disabled={busy()}>
                {m().profile.save}
              </button>
              <p role="status" class="muted" data-testid="profile-status">
                {status() ?? ""}
              </p>
            </form>
            <section class="card form" aria-labelledby="photo-title">
              <h2 id="photo-title">{m().profile.photo}</h2>
              <p class="muted">{m().profile.current}</p>
              <Show when={p.profilePhotoUrl} fallback={<p class="muted">{m().profile.none}</p>}>
                <img src={sameOrigin(p.profilePhotoUrl ?? "")} alt={m().profile.current} width="160" height="160" class="avatar" data-testid="current-photo" />
              </Show>
              <label for="p-photo">{m().profile.choosePhoto}</label>
              <input id="p-photo" type="file" accept="image/jpeg,image/png,image/webp" onChange={(e) => choose(e.currentTarget)} />
              <Show when={preview()}>
                <p class="muted">{m().profile.preview}</p>
                {/* The server crops the centre square and scales it to 400 x 400: the preview shows that crop. */}
                <img src={preview() ?? ""} alt={m().profile.preview} width="160" height="160" class="avatar" data-testid="photo-preview" />
              </Show>
              <button type="button" class="primary" disabled={busy() || !file()} onClick={() => void upload()}>
                {m().profile.upload}
              </button>
              <p class="error-text" role="alert">
                {err("photo") ?? ""}
              </p>
            </section>
          </div>
        )}
      </Async>
    </div>
  );
}
