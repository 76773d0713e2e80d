// The notes of the graph on screen: loaded from and saved to local storage, drawn again after every redraw
// of the scene (it tells with its `drawn` event), and edited in the note editor.

import type { GraphRef } from '../graph/api';
import { coveringMove } from '../graph/moves';
import type { ViewState } from '../graph/state';
import type { Scene } from '../scene/scene';
import { NoteEditor } from './noteeditor';
import { NotesLayer, type NotesScene } from './notelayer';
import {
  deleteNote,
  loadNotes,
  mergeNotes,
  AREA_MARK,
  followMoves,
  moveNote,
  noteFollowing,
  resolveAnchor,
  saveNotes,
  setNote,
  storageKey,
  localStore,
  type Note,
} from './notes';

export interface NotebookHost {
  root: HTMLElement;
  stage: HTMLElement;
  scene: NotesScene & Pick<Scene, 'pathOf'>;
  state(): ViewState;
  say(text: string, error?: boolean): void;
}

export class Notebook {
  readonly layer: NotesLayer;
  private editor: NoteEditor;
  private list: Note[] = [];
  private key: string | null = null;

  constructor(private host: NotebookHost) {
    this.layer = new NotesLayer(
      host.scene,
      (node) => this.openEditor(node),
      (node, dx, dy) => this.update(moveNote(this.list, node, dx, dy)),
      (id) => this.now(id),
    );
    this.editor = new NoteEditor(
      (node, text) => {
        const sel = this.host.state().selected;
        const written = noteFollowing(this.list, node, (id) => this.now(id));
        const path = sel === node ? this.host.scene.pathOf(node) : (written?.path ?? []);
        try {
          // A note written on the same scope before a move is that note: it takes the id drawn now.
          const rekeyed = written && written.node !== node;
          const kept = rekeyed
            ? [...deleteNote(this.list, written.node), { ...written, node, path: path.filter((p) => p !== '') }]
            : this.list;
          this.update(setNote(kept, node, text, path));
        } catch (e) {
          this.host.say((e as Error).message, true);
        }
      },
      (node) => this.update(deleteNote(this.list, noteFollowing(this.list, node, (id) => this.now(id))?.node ?? node)),
    );
    host.stage.append(this.editor.el);
    host.scene.on('drawn', () => this.redraw());
  }

  get notes(): readonly Note[] {
    return this.list;
  }

  /** Stores the notes a link brought for graph `g`; they win over local notes on the same node. */
  mergeLinked(g: GraphRef, notes: readonly Note[]): void {
    if (notes.length) saveNotes(localStore(), g, mergeNotes(loadNotes(localStore(), g), notes));
  }

  /** Reloads the notes when the graph changed, and draws them at the current expansion. */
  redraw(): void {
    const g = this.host.state().graph;
    const key = g ? storageKey(g) : null;
    if (key !== this.key) {
      this.key = key;
      this.list = g ? loadNotes(localStore(), g) : [];
      this.editor.close();
    }
    this.layer.draw(this.list);
    this.host.root.dataset.notes = String(this.list.length);
  }

  private update(notes: Note[]): void {
    this.list = notes;
    const g = this.host.state().graph;
    if (g) saveNotes(localStore(), g, notes);
    this.layer.draw(notes);
    this.host.root.dataset.notes = String(notes.length);
  }

  editSelected(): void {
    const sel = this.host.state().selected;
    if (!sel || !this.host.scene.has(sel))
      return this.host.say('Select a node or group first (click it), then add a note (n).', true);
    this.openEditor(sel);
  }

  /** The id a note written on `id` is drawn under now, across the user's moves to the model (followMoves). */
  private now(id: string): string {
    const moves = this.host.state().graph?.model ?? [];
    const scene = this.host.scene;
    // Only a scope's move (`save/`) moves its group; an op moved alone leaves its scope's group in the area.
    const scopes = moves.filter((m) => m.endsWith('/'));
    const areas = [...scene.abs.keys()].filter((k) => k.startsWith(AREA_MARK) && !k.includes('/'));
    return followMoves(
      id,
      (scope) => coveringMove(scopes, scope) !== null,
      (x) => scene.has(x),
      areas,
    );
  }

  private openEditor(node: string): void {
    const n = noteFollowing(this.list, node, (id) => this.now(id));
    const at = n
      ? resolveAnchor(
          n,
          (x) => this.host.scene.has(x),
          (id) => this.now(id),
        )
      : null;
    this.editor.open(node, n?.text ?? '', at?.hidden ? at.anchor : null);
  }
}
