import type { ComponentChildren } from 'preact';
import type { Loaded } from '../use-api.ts';

interface Props<T> {
  title?: ComponentChildren;
  actions?: ComponentChildren;
  state: Loaded<T>;
  isEmpty?: (data: T) => boolean;
  empty?: string;
  class?: string;
  testId?: string;
  children: (data: T) => ComponentChildren;
}

/** A card with its own loading, empty and error states; content renders once data is there. */
export function Panel<T>(props: Props<T>) {
  const { state } = props;
  let body: ComponentChildren;
  if (state.error)
    body = (
      <div class="state error" role="alert">
        <p>{state.error.message}</p>
        <button type="button" onClick={state.reload}>
          Retry
        </button>
      </div>
    );
  else if (state.data === undefined) body = <div class="state loading" aria-busy="true" />;
  else if (props.isEmpty?.(state.data))
    body = <div class="state empty">{props.empty ?? 'No data for this period'}</div>;
  else body = props.children(state.data);
  return (
    <section class={`panel ${props.class ?? ''}`} data-testid={props.testId} aria-busy={state.loading}>
      {(props.title || props.actions) && (
        <header>
          <h2>{props.title}</h2>
          <div class="actions">{props.actions}</div>
        </header>
      )}
      {body}
    </section>
  );
}
