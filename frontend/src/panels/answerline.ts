// The answer line above the graph: the server's one sentence on what was found in this graph, in the user's
// terms ([data-answer-line]), and a [Show the flag] button when there is a flag. Names between backticks in
// the sentence are set in code type; everything goes through textContent.

import type { GraphAnswer } from '../graph/api';
import { clear, h } from '../lib/dom';
import { Emitter } from '../lib/events';

export interface AnswerLineEvents {
  /** [Show the flag] was pressed: the flag's name. */
  'show-flag': string;
}

export class AnswerLine extends Emitter<AnswerLineEvents> {
  readonly el = h('div', { class: 'pv-answer', 'data-answer-line': 'true', role: 'note', hidden: true });

  render(g: GraphAnswer | null): void {
    const el = this.el;
    clear(el);
    const answer = g?.answer;
    if (!answer) {
      el.hidden = true;
      return;
    }
    el.dataset.layers = String(answer.layers);
    el.dataset.flag = answer.flag ?? '';
    const text = h('span', { class: 'text' });
    answer.text.split('`').forEach((part, i) => {
      if (part) text.append(i % 2 ? h('code', {}, part) : document.createTextNode(part));
    });
    el.append(text);
    const flag = answer.flag;
    if (flag) {
      const show = h(
        'button',
        {
          class: 'pv-btn',
          type: 'button',
          'data-action': 'show-flag',
          title: 'Select the flag and bring it into view',
        },
        'Show the flag',
      );
      show.addEventListener('click', () => this.emit('show-flag', flag));
      el.append(' ', show);
    }
    el.hidden = false;
  }
}
