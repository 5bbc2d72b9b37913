import { createSignal, type JSX, onCleanup, onMount, Show } from "solid-js";
import { t } from "../lib/i18n.ts";

let next = 0;

/**
 * A table's own horizontal scroll box (the page never scrolls sideways). When the table is wider than the screen a
 * visible cue says so, and a shadow on the cut edge shows there is more; the box is reachable with Tab so keyboard
 * users can scroll it with the arrow keys. Its name says "table" so it never repeats the section's landmark name.
 */
export function TableWrap(props: { label: string; children: JSX.Element; testId?: string }): JSX.Element {
  let box!: HTMLDivElement;
  const hintId = `scroll-hint-${++next}`;
  const [overflows, setOverflows] = createSignal(false);
  const [atEnd, setAtEnd] = createSignal(false);
  const measure = () => {
    setOverflows(box.scrollWidth > box.clientWidth + 1);
    setAtEnd(box.scrollLeft + box.clientWidth >= box.scrollWidth - 1);
  };
  onMount(() => {
    const observer = new ResizeObserver(measure);
    observer.observe(box);
    const table = box.firstElementChild;
    if (table) observer.observe(table);
    onCleanup(() => observer.disconnect());
  });
  return (
    <>
      <Show when={overflows()}>
        <p class="scroll-hint muted" id={hintId} data-testid={props.testId ? `${props.testId}-hint` : undefined}>
          <span aria-hidden="true">↔ </span>
          {t().a11y.scrollHint}
        </p>
      </Show>
      <div
        ref={box}
        class="table-wrap"
        classList={{ "more-right": overflows() && !atEnd() }}
        tabindex="0"
        role="region"
        aria-label={t().a11y.tableOf(props.label)}
        aria-describedby={overflows() ? hintId : undefined}
        onScroll={measure}
      >
        {props.children}
      </div>
    </>
  );
}
