// How the page words what the core says: class names (the core's, label 0 first, once the worker
// has said them), percentages, and how sure a prediction is of the class it names.
//
// Every class name in the page is an element with `data-class="0"` or `"1"` (see `className`
// and `phrase`), so a rename rewrites them all in one pass: drop zones, counts, label menus,
// predictions, mistakes, captions and table headers, however they were made.

/** The core's class names; the page's own until the worker's hello. */
export let classes = ['cat', 'dog'];

/** Takes the core's names and rewrites every class name shown. */
export function setClasses(names) {
  classes = names;
  for (const element of document.querySelectorAll('[data-class]')) element.textContent = classes[Number(element.dataset.class)];
}

/** The name of class `label` as an element a rename rewrites. */
export function className(label) {
  const span = document.createElement('span');
  span.dataset.class = String(label);
  span.textContent = classes[label];
  return span;
}

/** A tagged template whose numbers are class labels: phrase`${1} beats ${0}` is nodes for
 * `replaceChildren`, the labels as class names that follow renames. */
export function phrase(strings, ...labels) {
  return strings.flatMap((text, k) => (k < labels.length ? [text, className(labels[k])] : [text]));
}

export function percent(value) {
  return value === undefined ? '–' : `${value.toFixed(1)} %`;
}

/** "dog (73.2 %)" as nodes: the class `label` and the probability the core gave it, from the
 * probability of label 1 that predictions and mistakes carry. */
export function sayClass(label, probabilityOf1, digits = 1) {
  const sure = label === 1 ? probabilityOf1 : 1 - probabilityOf1;
  return [className(label), ` (${(sure * 100).toFixed(digits)} %)`];
}
