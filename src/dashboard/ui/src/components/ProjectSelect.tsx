import type { ComponentChildren } from 'preact';

/** A <select> of project names, labelled for screen readers and tests; `children` are options listed first. */
export function ProjectSelect(props: {
  label: string;
  projects: readonly string[];
  value: string;
  onChange: (project: string) => void;
  children?: ComponentChildren;
}) {
  return (
    <select
      aria-label={props.label}
      value={props.value}
      onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}
    >
      {props.children}
      {props.projects.map((p) => (
        <option key={p} value={p}>
          {p}
        </option>
      ))}
    </select>
  );
}
