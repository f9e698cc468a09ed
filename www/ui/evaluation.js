// How a run does on its held-out photos, class by class: the confusion matrix the core counted
// (rows the true class, columns the class the model said) with each class's accuracy.
import { $ } from './dom.js';
import { className, percent, phrase } from './words.js';

/** Shows the core's rows ({ label, predicted: [as 0, as 1], accuracy }), or says why there are
 * none; `testCount` is the run's held-out photos. */
export function showEvaluation(rows, testCount) {
  const table = $('confusion');
  const [head, body] = [table.tHead, table.tBodies[0]];
  if (!rows || testCount === 0) {
    head.replaceChildren();
    body.replaceChildren();
    $('confusion-caption').textContent = testCount === 0
      ? 'Nothing was held out, so there is nothing to score the classes on.'
      : 'Train a model with photos held out to see how it does on each class.';
    return;
  }
  $('confusion-caption').replaceChildren(`${testCount} held-out photos: each row is a true class, each column what the model said; the diagonal is right.`);
  const top = document.createElement('tr');
  top.append(cell('th', ['true class'], 'col'), ...rows.map(({ label }) => cell('th', phrase`said ${label}`, 'col')), cell('th', ['accuracy'], 'col'));
  head.replaceChildren(top);
  body.replaceChildren(...rows.map(({ label, predicted, accuracy }) => {
    const row = document.createElement('tr');
    row.append(cell('th', [className(label)], 'row'));
    predicted.forEach((n, said) => {
      const td = cell('td', [String(n)]);
      td.className = `count-cell${said === label ? ' right' : n > 0 ? ' wrong' : ''}`;
      td.dataset.testid = `confusion-${label}-${said}`;
      row.append(td);
    });
    const share = cell('td', [accuracy === undefined ? 'none held out' : percent(accuracy)]);
    share.dataset.testid = `class-accuracy-${label}`;
    row.append(share);
    return row;
  }));
}

function cell(tag, nodes, scope) {
  const element = document.createElement(tag);
  if (scope) element.scope = scope;
  element.append(...nodes);
  return element;
}
