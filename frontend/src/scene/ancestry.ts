// The groups an element of the scene is drawn in. Names are not unique in the drawing: a group and the op
// of the same name inside it (a Keras variable `conv/kernel` is an op and the scope of its reads) share one,
// so a map from name to parent can name an element its own parent. Every walk up stops at a name it met.

/** The chain of parents of `name`, from the root (exclusive) down to its parent; never loops. */
export function ancestry(parentOf: ReadonlyMap<string, string>, name: string): string[] {
  const path: string[] = [];
  const seen = new Set<string>([name]);
  for (let p = parentOf.get(name); p && !seen.has(p); p = parentOf.get(p)) {
    seen.add(p);
    path.push(p);
  }
  return path.reverse();
}
