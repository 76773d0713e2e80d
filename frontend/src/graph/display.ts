// How the page names a group: a machinery area by its title (`gradients`), a group inside an area by its scope
// with the area's title (`bn3a_branch2a · in the initialisers area`), never by the synthetic ids the server
// uses for them (`∷gradient`, `∷init/bn3a_branch2a`), which a user could not type or search for.

export interface AreaName {
  group: string;
  title?: string;
  label: string;
}

export function displayName(id: string, areas: readonly AreaName[]): string {
  for (const a of areas) {
    const title = a.title ?? a.label;
    if (id === a.group) return `${title} area`;
    if (id.startsWith(a.group + '/')) return `${id.slice(a.group.length + 1)} · in the ${title} area`;
  }
  return id;
}
